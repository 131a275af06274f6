package dev.optimizer.http.internal.limit;

import dev.optimizer.api.Knob;
import dev.optimizer.api.Objective;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.control.AimdController;
import dev.optimizer.runtime.control.GradientController;
import dev.optimizer.runtime.limit.ConcurrencyLimiter;
import dev.optimizer.runtime.signal.LatencySignal;
import dev.optimizer.runtime.telemetry.BuildingBlockMetrics;
import java.time.Duration;

/**
 * One host's adaptive concurrency limit: a runtime {@link ConcurrencyLimiter} whose limit is a knob
 * moved by the runtime's gradient (or AIMD) controller from the host's latency signal, unjudged —
 * the controller corrects itself every window — within [min, max] and a step limit.
 */
public final class HostLimit implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(HostLimit.class.getName());

  final ConcurrencyLimiter limiter;
  final Knob<Integer> knob;
  private final AutoCloseable metrics;

  /** Settings of the per-host limits. */
  public record Settings(
      int initial,
      int min,
      int max,
      int maxQueued,
      Duration queueTimeout,
      boolean aimd,
      Duration signalSlice) {}

  HostLimit(Optimizer optimizer, String name, String host, Settings s) {
    LatencySignal signal =
        LatencySignal.builder(name + ".limit." + host)
            .ticker(optimizer.ticker())
            .slice(s.signalSlice())
            .build();
    this.limiter =
        ConcurrencyLimiter.builder()
            .name(name + " " + host)
            .minLimit(s.min())
            .maxLimit(s.max())
            .initialLimit(s.initial())
            .maxQueued(s.maxQueued())
            .ticker(optimizer.ticker())
            .addListener(
                (start, rtt, inflight, dropped) -> {
                  signal.record(rtt, dropped);
                  // The count at admission, this call included: the in-flight count peaks right
                  // after an admission, so the largest of these is the window's true peak. A
                  // peak, not a mean: bursts that reach the limit must count as using it.
                  signal.recordPeak(GradientController.INFLIGHT_MAX_GAUGE, inflight);
                })
            .build();
    this.knob =
        Knob.ofInt("optimizer.http." + name + ".limit." + host, s.initial())
            .range(s.min(), s.max())
            .maxStep(Math.max(1, (s.max() - s.min()) / 4))
            .description("concurrency limit of requests to " + host)
            .onChange(limiter::setLimit)
            .build();
    Knob<Integer> registered = knob;
    try {
      optimizer
          .tune(knob, signal)
          .controller(s.aimd() ? new AimdController() : new GradientController())
          .objective(Objective.minimizeLatency(99).withMaxErrorRate(1.0))
          .judged(false)
          .start();
    } catch (RuntimeException e) {
      // A name clash or a closed optimizer must not fail requests: keep a fixed limit.
      LOG.log(System.Logger.Level.WARNING, "limit of " + host + " is not tuned: " + e.getMessage());
      registered = null;
    }
    if (registered == null) {
      LOG.log(System.Logger.Level.DEBUG, "fixed limit " + s.initial() + " for " + host);
    }
    this.metrics = BuildingBlockMetrics.observe(optimizer.meter(), limiter);
  }

  /** The limiter. */
  public ConcurrencyLimiter limiter() {
    return limiter;
  }

  @Override
  public void close() {
    try {
      metrics.close();
    } catch (Exception e) {
      // unregistering instruments does not fail
    }
  }
}
