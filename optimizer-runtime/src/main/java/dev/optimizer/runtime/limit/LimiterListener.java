package dev.optimizer.runtime.limit;

/**
 * Receives one sample per finished call of a {@link ConcurrencyLimiter}: what an adaptive limit
 * algorithm (AIMD, gradient) feeds on, in the shape of Netflix concurrency-limits' {@code
 * Limit.onSample}. Called on the thread that released the permit, after the release, outside any
 * lock. Must be fast; an exception thrown here is logged and otherwise ignored, so a listener can
 * never fail the call it observes.
 */
@FunctionalInterface
public interface LimiterListener {

  /**
   * One finished call.
   *
   * @param startNanos when the permit was granted, by the limiter's ticker
   * @param rttNanos how long the permit was held
   * @param inflight calls in flight when the permit was granted, this one included
   * @param dropped whether the call was reported as {@linkplain Permit#onDropped() dropped}
   */
  void onSample(long startNanos, long rttNanos, int inflight, boolean dropped);
}
