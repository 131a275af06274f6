package dev.optimizer.api;

import dev.optimizer.api.internal.Checks;

/**
 * What a {@link Controller} sees when asked for a proposal: the knob's position and limits on its
 * numeric line, the window measured at the current value, and the objective.
 *
 * @param current the knob's current value
 * @param min the lower bound
 * @param max the upper bound
 * @param maxStep the largest move allowed in one proposal, positive
 * @param granularity the smallest meaningful step (0 for continuous knobs)
 * @param window what was measured at the current value
 * @param objective what the knob should achieve
 */
public record ControllerInput(
    double current,
    double min,
    double max,
    double maxStep,
    double granularity,
    Window window,
    Objective objective) {

  /** Checks the invariants. */
  public ControllerInput {
    if (!(min <= max)) {
      throw new IllegalArgumentException("min must be <= max, but was [" + min + ", " + max + "]");
    }
    Checks.inRange("current", current, min, max);
    if (!(maxStep > 0)) {
      throw new IllegalArgumentException("maxStep must be positive, but was " + maxStep);
    }
    Checks.inRange("granularity", granularity, 0.0, Double.MAX_VALUE);
    Checks.notNull("window", window);
    Checks.notNull("objective", objective);
  }

  /** Creates an input for a knob at its current value. */
  public static ControllerInput of(Knob<?> knob, Window window, Objective objective) {
    return of(knob, knob.numericValue(), window, objective);
  }

  private static <T extends Comparable<? super T>> ControllerInput of(
      Knob<T> knob, double current, Window window, Objective objective) {
    KnobType<T> type = knob.type();
    return new ControllerInput(
        current,
        type.toNumber(knob.min()),
        type.toNumber(knob.max()),
        type.toNumber(knob.maxStep()),
        type.granularity(),
        window,
        objective);
  }

  /**
   * Clamps a proposal to the bounds and the step limit, then rounds it to the granularity without
   * leaving either. NaN means "hold" and returns {@link #current()}.
   */
  public double bounded(double proposal) {
    if (Double.isNaN(proposal)) {
      return current;
    }
    double lo = Math.max(min, current - maxStep);
    double hi = Math.min(max, current + maxStep);
    double v = Math.max(lo, Math.min(hi, proposal));
    if (granularity > 0) {
      double rounded = current + Math.round((v - current) / granularity) * granularity;
      if (rounded < lo) {
        rounded += granularity;
      } else if (rounded > hi) {
        rounded -= granularity;
      }
      v = (rounded >= lo && rounded <= hi) ? rounded : current;
    }
    return v;
  }
}
