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
}
