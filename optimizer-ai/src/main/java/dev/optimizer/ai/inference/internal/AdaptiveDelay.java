package dev.optimizer.ai.inference.internal;

import dev.optimizer.runtime.batch.DelayPolicy;

/**
 * How long a new inference batch waits for company.
 *
 * <p>Why it works: a model worker that is busy is the best batch-former there is. While every
 * worker is running a batch, new requests pile up in the open batch anyway, and the free worker
 * takes all of them at once, so waiting adds nothing but latency: the delay is 0. When a worker is
 * free, waiting pays only if more requests will arrive before the delay ends: with arrival rate
 * {@code r} and the current upper bound {@code maxDelay}, fewer than one expected arrival ({@code r
 * * maxDelay < 1}) means the caller is alone and goes at once (no added delay when idle). Otherwise
 * it waits long enough for the batch to fill, {@code (maxBatchSize - queued) / r}, but never more
 * than {@code maxDelay}. The tuning engine moves {@code maxDelay} itself from measured latency and
 * throughput, as judged trials.
 */
public final class AdaptiveDelay implements DelayPolicy {

  private final int workers;

  /** A policy for a batcher with {@code workers} model workers. */
  public AdaptiveDelay(int workers) {
    this.workers = workers;
  }

  @Override
  public long delayNanos(Context context) {
    if (context.inFlightBatches() >= workers) {
      return 0L;
    }
    double rate = context.arrivalRatePerSecond();
    long max = context.maxDelayNanos();
    if (rate * max / 1e9 < 1.0) {
      return 0L;
    }
    int missing = Math.max(0, context.maxBatchSize() - context.queuedItems());
    double fill = missing / rate * 1e9;
    return (long) Math.min(max, fill);
  }
}
