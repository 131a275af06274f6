package dev.optimizer.runtime.limit;

/**
 * The right to run one call under a {@link ConcurrencyLimiter}. Report how the call went with
 * exactly one of {@link #onSuccess()}, {@link #onDropped()} or {@link #onIgnore()}; that releases
 * the permit and, for success or drop, feeds the round-trip time to the limiter's {@link
 * LimiterListener}s. The first report wins; later ones, and {@link #close()} after a report, do
 * nothing.
 *
 * <pre>{@code
 * try (Permit permit = limiter.acquire(Duration.ofMillis(100))) {
 *   Response response = call();
 *   permit.onSuccess();
 *   return response;
 * } // an exception before onSuccess(): close() releases the permit without a sample
 * }</pre>
 */
public interface Permit extends AutoCloseable {

  /** The call succeeded: release the permit and record its round-trip time. */
  void onSuccess();

  /**
   * The call was dropped by the downstream (a timeout, an overload answer such as HTTP 429/503):
   * release the permit and record it as a sign of overload.
   */
  void onDropped();

  /**
   * The call's timing says nothing about the downstream's capacity (a validation error, a cache
   * hit): release the permit without recording a sample.
   */
  void onIgnore();

  /** Releases the permit as {@link #onIgnore()} would, unless an outcome was reported already. */
  @Override
  void close();
}
