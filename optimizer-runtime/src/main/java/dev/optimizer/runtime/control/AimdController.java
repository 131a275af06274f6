package dev.optimizer.runtime.control;

import dev.optimizer.api.Controller;
import dev.optimizer.api.ControllerInput;
import dev.optimizer.api.Window;
import dev.optimizer.api.internal.Checks;

/**
 * Additive increase, multiplicative decrease — TCP's congestion rule, for concurrency limits.
 *
 * <p>A window is <em>congested</em> when its error rate exceeds {@code dropRate} or, where the
 * objective limits latency, when the latency at the limit's percentile exceeds that limit.
 *
 * <pre>
 *   congested:      next = x · backoffRatio
 *   otherwise:      next = x + increase
 *   then clamped to [min, max] and to x ± maxStep
 * </pre>
 *
 * <p>Gentle probing upwards and a sharp retreat on congestion converge to a saw-tooth just below
 * the point of congestion, and recover quickly from overload. Not thread-safe.
 */
public final class AimdController implements Controller {
  private final double increase;
  private final double backoffRatio;
  private final double dropRate;

  /** Increase by 1, back off to 90%, congestion at any error above 1%. */
  public AimdController() {
    this(1, 0.9, 0.01);
  }

  /**
   * An AIMD controller.
   *
   * @param increase the additive step, positive
   * @param backoffRatio the multiplicative decrease, in {@code [0.1, 0.99]}
   * @param dropRate the error rate above which a window is congested, in {@code [0, 1]}
   */
  public AimdController(double increase, double backoffRatio, double dropRate) {
    if (!(increase > 0) || !Double.isFinite(increase)) {
      throw new IllegalArgumentException("increase must be positive, but was " + increase);
    }
    this.increase = increase;
    this.backoffRatio = Checks.inRange("backoffRatio", backoffRatio, 0.1, 0.99);
    this.dropRate = Checks.inRange("dropRate", dropRate, 0.0, 1.0);
  }

  @Override
  public String name() {
    return "aimd";
  }

  @Override
  public double propose(ControllerInput in) {
    double x = in.current();
    if (!congested(in)) {
      return in.bounded(x + increase);
    }
    double next = x * backoffRatio;
    if (in.granularity() > 0) {
      // Rounding must not swallow the decrease of a small whole-number limit (4 * 0.9 = 3.6 -> 4).
      next = Math.min(next, x - in.granularity());
    }
    return in.bounded(next);
  }

  private boolean congested(ControllerInput in) {
    Window w = in.window();
    if (w.errorRate() > dropRate) {
      return true;
    }
    return in.objective()
        .latencyLimit()
        .map(
            limit ->
                w.latencyPercentileNanos(in.objective().latencyLimitPercentile()) > limit.toNanos())
        .orElse(false);
  }
}
