package dev.optimizer.api;

/**
 * A small, deterministic algorithm that proposes the next value of one knob from what the last
 * window measured (hill-climb, AIMD, gradient). Implementations must keep every proposal within the
 * knob's bounds and step limit — {@link ControllerInput#bounded(double)} does that — and must not
 * block or do I/O.
 *
 * <p>A controller instance serves one knob. It is called by one thread at a time.
 */
public interface Controller {

  /** A short name for reports, e.g. {@code hill-climb}. */
  String name();

  /**
   * Proposes the next value on the knob's numeric line. Returning {@link ControllerInput#current()}
   * means "hold".
   */
  double propose(ControllerInput input);

  /**
   * Told how the last proposal fared: the judge's verdict and whether the new value was kept. The
   * default does nothing.
   */
  default void onOutcome(double from, double to, Verdict verdict, boolean kept) {}

  /**
   * Whether the proposal now under trial is one point of a planned exploration (a coarse scan of
   * distant values) rather than a step the controller would otherwise retry. The engine backs off
   * after a trial that did not pay, and holds off the reverted direction for a while, so that a
   * controller cannot retry the same losing step at full rate; the next point of a scan is a
   * different question, so after an exploring trial the engine does neither. Asked once per trial,
   * after the trial and before {@link #onOutcome}. The default is false.
   */
  default boolean exploring() {
    return false;
  }
}
