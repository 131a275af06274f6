package dev.optimizer.runtime.cache;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A shared second tier behind a {@link TieredCache}'s in-process tier, such as Redis: the SPI a
 * remote store implements.
 *
 * <p>The cache treats the remote tier as an optimization that may fail: every operation is
 * asynchronous, a read that fails or takes longer than the cache's {@code remoteTimeout} counts as
 * a miss, and a failed write or invalidation is counted and otherwise ignored. Implementations
 * should therefore fail fast rather than retry at length, and must be thread-safe.
 *
 * <p>Implementations complete their futures on their own threads (an I/O event loop, typically);
 * the cache moves any further work off those threads.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public interface RemoteTier<K, V> extends AutoCloseable {

  /**
   * Looks {@code key} up.
   *
   * @return a future of the value, or of {@code null} when the remote tier has no entry
   */
  CompletableFuture<V> get(K key);

  /**
   * Stores {@code value} under {@code key}, to expire after {@code ttl} (the cache's {@code
   * expireAfterWrite}).
   */
  CompletableFuture<Void> put(K key, V value, Duration ttl);

  /** Removes the entry for {@code key}, if any. */
  CompletableFuture<Void> invalidate(K key);

  /** Removes every entry this cache stored (not the whole remote store, if it is shared). */
  CompletableFuture<Void> invalidateAll();

  /** Releases the remote tier's resources. Called once, by {@link TieredCache#close()}. */
  @Override
  default void close() {}
}
