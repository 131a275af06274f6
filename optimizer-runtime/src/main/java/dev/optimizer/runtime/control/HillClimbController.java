package dev.optimizer.runtime.control;

import dev.optimizer.api.Controller;
import dev.optimizer.api.ControllerInput;
import dev.optimizer.api.Verdict;
import dev.optimizer.api.internal.Checks;

/**
 * An adaptive-step hill climber for knobs whose effect has a single peak, such as a pool size
 * (throughput rises with connections until the database saturates, then falls as they contend).
 *
 * <p>It cannot see the curve, only the judge's verdict on each move, and it treats the three
 * verdicts differently because they mean different things. It keeps a step size for each direction,
 * because the curve's slope differs on the two sides of the peak:
 *
 * <ul>
 *   <li><b>keep</b> — the move helped: go on the same way with twice the step. Doubling crosses a
 *       wide range in a logarithmic number of trials.
 *   <li><b>revert</b> — the move hurt: turn around, halve that direction's step, and remember the
 *       harmful step as that direction's cap, so that it is not tried again until a move pays.
 *   <li><b>inconclusive</b> — the move was too small to measure (far from the peak the curve is
 *       flat, and a small step changes throughput by less than the judge's effect floor). Double
 *       that direction's step while it stays below the cap, and try the other side next: a pattern
 *       search, +s, −s, +2s, −2s, ...
 * </ul>
 *
 * <pre>
 *   next = clamp(x + d·s[d]),   s[d] ∈ [granularity, maxStep]; a bound that cuts the move turns d
 *   keep in d:          s[d] ← min(2·|Δ|, maxStep),  cap[±] ← ∞,          d stays
 *   revert in d:        cap[d] ← |Δ|,  s[d] ← max(|Δ|/2, granularity),    d ← −d
 *   inconclusive in d:  2·|Δ| < cap[d] ? s[d] ← min(2·|Δ|, maxStep) : keep s[d];  d ← −d
 *   kept as cheaper:    s[d] ← min(2·|Δ|, maxStep),  d stays
 * </pre>
 *
 * <p>After convergence every trial is a move inside a bracket around the peak that the judge finds
 * inconclusive or harmful, so the knob itself stays put (it only moves on <em>keep</em>); the
 * engine spaces those probing trials out with its back-off. This is the one-dimensional core of
 * Caffeine's window climber with the judge in place of a hit-rate sample.
 *
 * <p>Not thread-safe; the engine calls it from one thread.
 */
public final class HillClimbController implements Controller {
  private static final int UP = 0;
  private static final int DOWN = 1;

  private final double initialStepFraction;
  private final double[] step = {Double.NaN, Double.NaN};
  private final double[] cap = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
  private int direction;
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
    if (Double.isNaN(step[UP])) {
      double first = Math.max(minStep, in.maxStep() * initialStepFraction);
      step[UP] = first;
      step[DOWN] = first;
    }
    double next = move(in);
    if (Math.abs(next - in.current()) + in.granularity() / 2 < stepOf(direction)) {
      // A bound cuts the move short: a move that small measures nothing, so turn around.
      direction = -direction;
      next = move(in);
    }
    return next;
  }

  private double move(ControllerInput in) {
    return in.bounded(in.current() + direction * stepOf(direction));
  }

  private double stepOf(int d) {
    int i = d > 0 ? UP : DOWN;
    step[i] = Math.max(minStep, Math.min(step[i], maxStep));
    return step[i];
  }

  @Override
  public void onOutcome(double from, double to, Verdict verdict, boolean kept) {
    if (Double.isNaN(step[UP]) || from == to) {
      return;
    }
    int moved = to > from ? +1 : -1;
    int i = moved > 0 ? UP : DOWN;
    double taken = Math.abs(to - from);
    if (verdict == Verdict.KEEP) {
      step[i] = Math.min(taken * 2, maxStep);
      cap[UP] = Double.POSITIVE_INFINITY;
      cap[DOWN] = Double.POSITIVE_INFINITY;
      direction = moved;
    } else if (verdict == Verdict.REVERT) {
      cap[i] = taken;
      step[i] = Math.max(taken / 2, minStep);
      direction = kept ? moved : -moved;
    } else if (kept) {
      // Kept for being cheaper at no measurable cost: go on the same way, faster, until a move
      // costs something (the judge then reverts it and the walk turns around).
      direction = moved;
      step[i] = Math.min(taken * 2, maxStep);
    } else {
      if (taken * 2 < cap[i]) {
        step[i] = Math.min(taken * 2, maxStep);
      }
      direction = -moved;
    }
  }

  /** The current step size upwards, for reports and tests; NaN before the first proposal. */
  public double stepUp() {
    return step[UP];
  }

  /** The current step size downwards, for reports and tests; NaN before the first proposal. */
  public double stepDown() {
    return step[DOWN];
  }
}
