package dev.optimizer.api;

/**
 * The result of one statistical test the judge ran on a trial.
 *
 * @param test the test, e.g. {@code mann-whitney-u}, {@code tail-exceedance}, {@code proportion}
 * @param metric what was compared, e.g. {@code latency}, {@code latency.p99}, {@code errors}
 * @param direction whether the trial was significantly worse, better, or neither
 * @param pValue the one-sided p-value in the direction reported (1 when not computed)
 * @param effect the size of the difference, relative to the baseline (0.05 = 5% worse or better)
 * @param alpha the significance level the p-value was held to
 * @param detail a sentence with the numbers a person needs
 */
public record Finding(
    String test,
    String metric,
    Direction direction,
    double pValue,
    double effect,
    double alpha,
    String detail) {

  /** The direction of a significant difference. */
  public enum Direction {
    /** Significantly worse, by more than the effect-size floor. */
    WORSE,
    /** Significantly better, by more than the effect-size floor. */
    BETTER,
    /** No significant difference beyond the floor. */
    NO_CHANGE
  }
}
