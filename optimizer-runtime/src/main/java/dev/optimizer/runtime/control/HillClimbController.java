package dev.optimizer.runtime.control;

import dev.optimizer.api.Controller;
import dev.optimizer.api.ControllerInput;
import dev.optimizer.api.Verdict;
import dev.optimizer.api.internal.Checks;

/**
 * An adaptive-step hill climber for knobs whose effect has a single peak, such as a pool size
 * (throughput rises with connections until the database saturates, then falls as they contend).
 *
 * <p>It cannot see the curve, only whether the last move helped — the judge's verdict — so it
 * walks: propose {@code x + d·s}; on a kept improvement, double the step (up to the knob's step
 * limit) and keep going; on a revert or an inconclusive trial, turn around and halve the step (down
 * to the knob's granularity). Doubling crosses a wide range in a logarithmic number of trials;
 * halving makes the walk settle into an ever narrower bracket around the peak, so after convergence
 * the trials are small moves that the judge finds inconclusive and reverts, leaving the knob where
 * it is. At a bound, the walk turns around. This is the one-dimensional core of Caffeine's window
 * climber, with the judge in place of a hit-rate sample.
 *
 * <pre>
 *   next = clamp(x + d·s)          s ∈ [granularity, maxStep]
 *   kept improvement:  s ← min(2s, maxStep)
 *   otherwise:         d ← −d,  s ← max(s/2, granularity)
 * </pre>
 *
 * <p>Not thread-safe; the engine calls it from one thread.
 */
public final class HillClimbController implements Controller {
  private final double initialStepFraction;
  private int direction;
  private double step = Double.NaN;
  private double maxStep = Double.NaN;
  private double minStep = Double.NaN;

  /** A climber that starts upwards with a quarter of the step limit. */
  public HillClimbController() {
    this(+1, 0.25);
  }

  /**
   * A climber with a starting direction and a first step as a fraction of the step limit.
   *
   * @param initialDirection +1 to start upwards, −1 downwards
   * @param initialStepFraction in {@code (0, 1]}
   */
  public HillClimbController(int initialDirection, double initialStepFraction) {
    if (initialDirection != 1 && initialDirection != -1) {
      throw new IllegalArgumentException(
          "initialDirection must be 1 or -1, but was " + initialDirection);
    }
    Checks.inRange("initialStepFraction", initialStepFraction, Double.MIN_VALUE, 1.0);
    this.direction = initialDirection;
    this.initialStepFraction = initialStepFraction;
  }

  @Override
  public String name() {
    return "hill-climb";
  }

  @Override
  public double propose(ControllerInput in) {
    maxStep = in.maxStep();
    minStep = in.granularity() > 0 ? in.granularity() : in.maxStep() / 64;
    if (Double.isNaN(step)) {
      step = Math.max(minStep, in.maxStep() * initialStepFraction);
    }
    step = Math.max(minStep, Math.min(step, maxStep));
    double next = in.bounded(in.current() + direction * step);
    if (next == in.current()) {
      // At a bound: the only way is back.
      direction = -direction;
      next = in.bounded(in.current() + direction * step);
    }
    return next;
  }

  @Override
  public void onOutcome(double from, double to, Verdict verdict, boolean kept) {
    if (Double.isNaN(step)) {
      return;
    }
    if (kept && verdict == Verdict.KEEP) {
      step = Math.min(step * 2, maxStep);
      direction = to >= from ? +1 : -1;
    } else if (kept) {
      direction = to >= from ? +1 : -1; // kept for being cheaper: go on the same way, same pace
    } else {
      direction = to >= from ? -1 : +1;
      step = Math.max(step / 2, minStep);
    }
  }

  /** The current step size, for reports and tests; NaN before the first proposal. */
  public double step() {
    return step;
  }
}
