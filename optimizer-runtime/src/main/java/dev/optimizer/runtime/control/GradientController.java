package dev.optimizer.runtime.control;

import dev.optimizer.api.Controller;
import dev.optimizer.api.ControllerInput;
import dev.optimizer.api.Window;
import dev.optimizer.api.internal.Checks;

/**
 * A gradient concurrency limit in the family of Netflix's Gradient2: the ratio of the no-load
 * latency to the current latency tells how much of the latency is queueing, and the limit follows.
 *
 * <pre>
 *   gradient = clamp(tolerance · baseline / rtt, 0.5, 1)
 *   headroom = gradient = 1 and the limit was used (peak in-flight ≥ utilization · x) ? √x : 0
 *   next     = (1 − smoothing) · x + smoothing · (x · gradient + headroom)
 * </pre>
 *
 * where {@code rtt} is the window's median latency and {@code baseline} the lowest median seen.
 *
 * <p><b>Why it does not grow without bound under moderate overload.</b> Gradient2 compares the
 * short-term latency with a long-term average; under a sustained, moderate overload the average
 * drifts up to meet the short-term value, the gradient returns to 1, and the queue allowance is
 * added round after round. Here the reference is the <em>minimum</em> median, which queueing cannot
 * raise; headroom is added only when there is no queueing at all <em>and</em> the current limit was
 * actually used (a limit that is not reached tells nothing about a larger one); and the baseline is
 * re-measured only after the limit has sat at its minimum for {@code resetRounds} windows — the
 * sign that the service itself got slower rather than more loaded.
 *
 * <p>The window's gauge {@code inflight.max} (peak concurrent calls), when present, is the
 * utilization evidence; without it the limit is assumed used. It must be the window's peak — the
 * largest in-flight count, as {@link dev.optimizer.runtime.signal.LatencySignal#recordPeak} reports
 * it — not a mean: a limit reached only in bursts has a mean in-flight count well below the limit
 * and would be judged unused, so it would never grow. Not thread-safe.
 */
public final class GradientController implements Controller {
  /**
   * The gauge name carrying the peak number of in-flight calls in a window; record it with {@link
   * dev.optimizer.runtime.signal.LatencySignal#recordPeak}.
   */
  public static final String INFLIGHT_MAX_GAUGE = "inflight.max";

  private final double tolerance;
  private final double smoothing;
  private final double utilization;
  private final int resetRounds;
  private double baselineRtt = Double.NaN;
  private int roundsAtMin;

  /** Tolerance 1.5, smoothing 0.2, utilization 0.8, baseline reset after 10 rounds at minimum. */
  public GradientController() {
    this(1.5, 0.2, 0.8, 10);
  }

  /**
   * A gradient controller.
   *
   * @param tolerance latency inflation accepted before shrinking, in {@code [1, 10]}
   * @param smoothing weight of the new estimate, in {@code (0, 1]}
   * @param utilization fraction of the limit in use before growing, in {@code [0, 1]}
   * @param resetRounds windows at the minimum before the baseline is re-measured, in {@code [1,
   *     10000]}
   */
  public GradientController(
      double tolerance, double smoothing, double utilization, int resetRounds) {
    this.tolerance = Checks.inRange("tolerance", tolerance, 1.0, 10.0);
    this.smoothing = Checks.inRange("smoothing", smoothing, Double.MIN_VALUE, 1.0);
    this.utilization = Checks.inRange("utilization", utilization, 0.0, 1.0);
    this.resetRounds = Checks.inRange("resetRounds", resetRounds, 1, 10_000);
  }

  @Override
  public String name() {
    return "gradient";
  }

  @Override
  public double propose(ControllerInput in) {
    Window w = in.window();
    double rtt = w.latencyPercentileNanos(50);
    double x = in.current();
    if (!(rtt > 0)) {
      return x; // nothing measured: hold
    }
    if (Double.isNaN(baselineRtt) || rtt < baselineRtt) {
      baselineRtt = rtt;
    }
    if (x <= in.min()) {
      if (++roundsAtMin >= resetRounds) {
        baselineRtt = rtt;
        roundsAtMin = 0;
      }
    } else {
      roundsAtMin = 0;
    }
    double gradient = Math.max(0.5, Math.min(1.0, tolerance * baselineRtt / rtt));
    Double peak = w.gauges().get(INFLIGHT_MAX_GAUGE);
    boolean used = peak == null || peak >= utilization * x;
    double headroom = gradient >= 1.0 && used ? Math.sqrt(x) : 0;
    double target = x * gradient + headroom;
    double next = (1 - smoothing) * x + smoothing * target;
    // Smoothing must not round a wanted move away on a whole-number knob.
    if (in.granularity() > 0 && target != x && Math.abs(next - x) < in.granularity()) {
      next = x + Math.signum(target - x) * in.granularity();
    }
    return in.bounded(next);
  }

  /** The no-load latency reference in nanoseconds; NaN before the first window. */
  public double baselineRttNanos() {
    return baselineRtt;
  }
}
