package dev.optimizer.runtime.cache;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A remote tier double: a map, plus switches for the faults a real remote store shows (replies that
 * never come, failed replies, exceptions thrown before any reply).
 */
final class InMemoryRemoteTier<K, V> implements RemoteTier<K, V> {

  enum Mode {
    NORMAL,
    NEVER_COMPLETES,
    FAILS,
    THROWS
  }

  final Map<K, V> store = new ConcurrentHashMap<>();
  final Map<K, Duration> ttls = new ConcurrentHashMap<>();
  final AtomicInteger gets = new AtomicInteger();
  final AtomicInteger puts = new AtomicInteger();
  final AtomicInteger invalidations = new AtomicInteger();
  final AtomicInteger closes = new AtomicInteger();
  volatile Mode mode = Mode.NORMAL;

  @Override
  public CompletableFuture<V> get(K key) {
    gets.incrementAndGet();
    return reply(() -> store.get(key));
  }

  @Override
  public CompletableFuture<Void> put(K key, V value, Duration ttl) {
    puts.incrementAndGet();
    return reply(
        () -> {
          store.put(key, value);
          ttls.put(key, ttl);
          return null;
        });
  }

  @Override
  public CompletableFuture<Void> invalidate(K key) {
    invalidations.incrementAndGet();
    return reply(
        () -> {
          store.remove(key);
          return null;
        });
  }

  @Override
  public CompletableFuture<Void> invalidateAll() {
    invalidations.incrementAndGet();
    return reply(
        () -> {
          store.clear();
          return null;
        });
  }

  @Override
  public void close() {
    closes.incrementAndGet();
  }

  private <T> CompletableFuture<T> reply(java.util.function.Supplier<T> action) {
    switch (mode) {
      case NEVER_COMPLETES:
        return new CompletableFuture<>();
      case FAILS:
        return CompletableFuture.failedFuture(new IllegalStateException("remote down"));
      case THROWS:
        throw new IllegalStateException("remote client broken");
      default:
        return CompletableFuture.completedFuture(action.get());
    }
  }
}
