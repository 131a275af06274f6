package dev.optimizer.runtime.cache;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * How a {@link TieredCache} talks to its {@link RemoteTier}: every call bounded by the timeout,
 * every failure (thrown, returned, or a missing reply) turned into a counted miss or a counted
 * error, so that nothing the remote tier does can fail or stall a read for longer than the timeout.
 * With no remote tier, or after close, every operation is a no-op miss.
 */
final class RemoteAccess<K, V> {

  private static final System.Logger LOG = System.getLogger(TieredCache.class.getName());
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private final String cacheName;
  private final RemoteTier<K, V> remote;
  private final Duration ttl;
  private final long timeoutNanos;
  private volatile boolean closed;

  final LongAdder hits = new LongAdder();
  final LongAdder misses = new LongAdder();
  final LongAdder errors = new LongAdder();
  final LongAdder timeouts = new LongAdder();

  RemoteAccess(String cacheName, RemoteTier<K, V> remote, Duration ttl, Duration timeout) {
    this.cacheName = cacheName;
    this.remote = remote;
    this.ttl = ttl;
    this.timeoutNanos = timeout.toNanos();
  }

  boolean usable() {
    return remote != null && !closed;
  }

  /** Looks {@code key} up, blocking at most the timeout; {@code null} for anything but a hit. */
  V get(K key) {
    if (!usable()) {
      return null;
    }
    try {
      return counted(remote.get(key).get(timeoutNanos, TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      timeouts.increment();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      errors.increment();
    } catch (Exception e) { // ExecutionException, or whatever the client threw (or a null future)
      failed("get", e);
    }
    return null;
  }

  /** Looks {@code key} up without blocking; completes with {@code null} for anything but a hit. */
  CompletableFuture<V> getAsync(K key) {
    if (!usable()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<V> reply;
    try {
      // copy(): the timeout must complete our view, never the remote tier's own future.
      reply = remote.get(key).copy().orTimeout(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (RuntimeException e) {
      failed("get", e);
      return CompletableFuture.completedFuture(null);
    }
    return reply.handle(
        (value, error) -> {
          if (error == null) {
            return counted(value);
          }
          Throwable cause = error instanceof CompletionException ? error.getCause() : error;
          if (cause instanceof TimeoutException) {
            timeouts.increment();
          } else {
            failed("get", cause);
          }
          return null;
        });
  }

  /**
   * Starts a remote write without waiting; the returned stage completes (never exceptionally) once
   * the tier answered it, failed, or was not asked at all.
   */
  CompletableFuture<Void> put(K key, V value) {
    return usable() ? watch("put", () -> remote.put(key, value, ttl)) : DONE;
  }

  void invalidate(K key) {
    if (usable()) {
      watch("invalidate", () -> remote.invalidate(key));
    }
  }

  void invalidateAll() {
    if (usable()) {
      watch("invalidateAll", remote::invalidateAll);
    }
  }

  void close() {
    if (closed || remote == null) {
      return;
    }
    closed = true;
    try {
      remote.close();
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING, "closing remote tier of TieredCache '" + cacheName + "'", e);
    }
  }

  private V counted(V value) {
    (value == null ? misses : hits).increment();
    return value;
  }

  /** Starts a remote write without waiting and counts its failure, synchronous or not. */
  private CompletableFuture<Void> watch(String operation, Supplier<CompletableFuture<Void>> call) {
    try {
      return call.get()
          .handle(
              (ignored, error) -> {
                if (error != null) {
                  failed(operation, error);
                }
                return null;
              });
    } catch (RuntimeException e) {
      failed(operation, e);
      return DONE;
    }
  }

  private void failed(String operation, Throwable error) {
    errors.increment();
    // DEBUG: a remote outage would otherwise log once per read; the counters show it instead.
    LOG.log(
        System.Logger.Level.DEBUG,
        () -> "remote " + operation + " of TieredCache '" + cacheName + "' failed: " + error);
  }
}
