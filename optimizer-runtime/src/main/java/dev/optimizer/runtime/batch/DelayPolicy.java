package dev.optimizer.runtime.batch;

/**
 * Decides how long a new batch may wait for more items before it is flushed. Consulted once per
 * batch, when its first item arrives, under the batcher's lock: it must be fast and must not block
 * or call back into the batcher.
 *
 * <p>The answer is bounded by the batcher's current {@code maxDelay}: a result outside {@code [0,
 * maxDelay]} is brought into that range, and a policy that throws is treated as answering {@code
 * maxDelay}, so that a faulty policy can change latency within the configured bound but can never
 * strand an item.
 */
@FunctionalInterface
public interface DelayPolicy {

  /**
   * Returns the delay in nanoseconds to wait for the batch starting now.
   *
   * @param context what the batcher has observed recently
   */
  long delayNanos(Context context);

  /** The default: always wait {@code maxDelay}. */
  static DelayPolicy fixed() {
    return Context::maxDelayNanos;
  }

  /**
   * Waits {@code maxDelay} only when at least one more item is expected to arrive within it, and
   * flushes at once otherwise.
   *
   * <p>Why: waiting pays off only if someone joins the batch. When the recent arrival rate {@code
   * r} predicts fewer than one further arrival within {@code maxDelay} ({@code r * maxDelay < 1}),
   * the wait would add latency to a batch of one for nothing. Under load the prediction exceeds one
   * and the batcher waits as usual.
   */
  static DelayPolicy skipWhenSparse() {
    return context -> {
      double expected = context.arrivalRatePerSecond() * context.maxDelayNanos() / 1e9;
      return expected < 1.0 ? 0L : context.maxDelayNanos();
    };
  }

  /** What a {@link DelayPolicy} may look at. Values are read under the batcher's lock. */
  interface Context {

    /** Returns the current {@code maxDelay} in nanoseconds, the upper bound of any answer. */
    long maxDelayNanos();

    /** Returns the current {@code maxBatchSize}. */
    int maxBatchSize();

    /**
     * Returns an exponentially weighted mean of recent dispatched batch sizes, {@code 0} before the
     * first batch.
     */
    double recentBatchSize();

    /**
     * Returns an exponentially weighted estimate of item arrivals per second, measured with the
     * batcher's ticker; {@code 0} until two items have arrived.
     */
    double arrivalRatePerSecond();

    /** Returns the number of items waiting to be dispatched, the new one included. */
    int queuedItems();

    /** Returns the number of batches currently being processed. */
    int inFlightBatches();
  }
}
