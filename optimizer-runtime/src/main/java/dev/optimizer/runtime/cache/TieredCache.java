package dev.optimizer.runtime.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.optimizer.api.internal.Checks;
import dev.optimizer.runtime.coalesce.Coalescer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * A read-through cache with an in-process tier (Caffeine, bounded by bytes, entries expiring a
 * fixed time after they were written) and an optional {@link RemoteTier} shared between instances.
 *
 * <p>A read looks in the local tier, then the remote tier, then calls the loader; what it finds
 * further down is copied into the tiers above. Concurrent misses on one key share one trip down
 * (one remote read, at most one load). The remote tier can only make a read faster, never fail it:
 * a remote error, or no answer within {@code remoteTimeout}, counts as a remote miss.
 *
 * <p>Invalidation wins over loads in flight: a load that started before an {@link #invalidate} or
 * {@link #invalidateAll} still answers the callers waiting for it but is not cached, and callers
 * arriving after the invalidation do not join it. A value copied up from the remote tier gets a
 * fresh local {@code expireAfterWrite}, so an entry may live up to twice that long across tiers.
 * {@code null} is never cached: a loader returning {@code null} means "no value".
 *
 * <pre>{@code
 * TieredCache<String, byte[]> pages =
 *     TieredCache.<String, byte[]>builder()
 *         .weigher((url, body) -> url.length() * 2 + body.length + 64)
 *         .maximumWeightBytes(256L << 20)
 *         .expireAfterWrite(Duration.ofMinutes(1))
 *         .build();
 * byte[] body = pages.get(url, this::download);
 * }</pre>
 *
 * <p>Thread-safe. The cache has no threads of its own; Caffeine's maintenance and the work after a
 * remote reply run on the configured executor (default {@code ForkJoinPool.commonPool()}).
 *
 * @param <K> the key type; must include whatever separates tenants or identities
 * @param <V> the value type
 */
public final class TieredCache<K, V> implements AutoCloseable {

  private static final int EPOCH_STRIPES = 64;

  private final String name;
  private final Cache<K, V> local;
  private final RemoteAccess<K, V> remote;
  private final Executor executor;
  private final Coalescer<Flight<K>, V> flights = Coalescer.create();

  /**
   * Write epochs, striped by key hash: bumped by every put and invalidation of a key in the stripe,
   * and all of them by invalidateAll. A load caches its value only if its stripe's epoch did not
   * move meanwhile. Striping keeps a busy write path on some keys from stopping loads of all other
   * keys from being cached, without keeping an epoch per key.
   */
  private final AtomicLongArray epochs = new AtomicLongArray(EPOCH_STRIPES);

  private final LongAdder localHits = new LongAdder();
  private final LongAdder localMisses = new LongAdder();
  private final LongAdder loads = new LongAdder();
  private final LongAdder loadFailures = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final LongAdder expirations = new LongAdder();

  TieredCache(TieredCacheBuilder<K, V> b) {
    this.name = b.name;
    this.remote = new RemoteAccess<>(name, b.remoteTier, b.expireAfterWrite, b.remoteTimeout);
    this.executor = b.executor;
    Weigher<K, V> weigher = b.weigher;
    Caffeine<Object, Object> caffeine =
        Caffeine.newBuilder()
            .maximumWeight(b.maximumWeightBytes)
            .expireAfterWrite(b.expireAfterWrite)
            .ticker(b.ticker::read)
            .executor(executor);
    this.local =
        caffeine
            .<K, V>weigher(
                (key, value) -> {
                  int bytes = weigher.weighBytes(key, value);
                  if (bytes < 0) {
                    throw new IllegalArgumentException(
                        "weigher of TieredCache '"
                            + name
                            + "' returned "
                            + bytes
                            + "; must be >= 0");
                  }
                  return bytes;
                })
            .evictionListener(
                (K key, V value, RemovalCause cause) -> {
                  if (cause == RemovalCause.EXPIRED) {
                    expirations.increment();
                  } else if (cause.wasEvicted()) {
                    evictions.increment();
                  }
                })
            .build();
  }

  /** Starts a builder; {@link TieredCacheBuilder#weigher} is required. */
  public static <K, V> TieredCacheBuilder<K, V> builder() {
    return new TieredCacheBuilder<>();
  }

  /**
   * Returns the value for {@code key}, looking in the local tier, then the remote tier, then
   * calling {@code loader} on this thread. Callers missing the same key at the same time wait for
   * one shared lookup.
   *
   * @return the value, or {@code null} if the loader returned {@code null}
   * @throws RuntimeException what the loader threw, to every caller that shared the load
   */
  public V get(K key, Function<? super K, ? extends V> loader) {
    Checks.notNull("key", key);
    Checks.notNull("loader", loader);
    V value = local.getIfPresent(key);
    if (value != null) {
      localHits.increment();
      return value;
    }
    localMisses.increment();
    long start = epoch(key);
    CompletableFuture<V> shared =
        flights.execute(
            new Flight<>(key, start),
            () -> {
              try {
                return CompletableFuture.completedFuture(loadThroughTiers(key, loader, start));
              } catch (Throwable t) {
                return CompletableFuture.failedFuture(t);
              }
            });
    try {
      // join, not get: like Caffeine's get, waiting for a shared load is not interruptible.
      return shared.join();
    } catch (CompletionException e) {
      throw rethrowable(e.getCause());
    }
  }

  /**
   * Asynchronous twin of {@link #get}: the loader returns a stage, and nothing blocks.
   *
   * @return a future of the value (of {@code null} if the loader's stage completes with {@code
   *     null}), failing with what the loader failed with
   */
  public CompletableFuture<V> getAsync(
      K key, Function<? super K, ? extends CompletionStage<? extends V>> loader) {
    Checks.notNull("key", key);
    Checks.notNull("loader", loader);
    V value = local.getIfPresent(key);
    if (value != null) {
      localHits.increment();
      return CompletableFuture.completedFuture(value);
    }
    localMisses.increment();
    long start = epoch(key);
    return flights.execute(new Flight<>(key, start), () -> loadAsync(key, loader, start));
  }

  /**
   * Returns the value for {@code key} from the local tier, else from the remote tier (waiting at
   * most {@code remoteTimeout}), else {@code null}. Never loads.
   */
  public V getIfPresent(K key) {
    Checks.notNull("key", key);
    V value = local.getIfPresent(key);
    if (value != null) {
      localHits.increment();
      return value;
    }
    localMisses.increment();
    long start = epoch(key);
    value = remote.get(key);
    if (value != null) {
      store(key, value, start, false);
    }
    return value;
  }

  /** Returns the value for {@code key} from the local tier only, else {@code null}; never waits. */
  public V getIfPresentLocally(K key) {
    Checks.notNull("key", key);
    return local.getIfPresent(key);
  }

  /**
   * Non-blocking twin of {@link #getIfPresent}: the value from the local tier at once, else from
   * the remote tier (a failure or no answer within {@code remoteTimeout} completes with {@code
   * null}), else {@code null}. A remote hit is copied into the local tier, and the future completes
   * on the cache's executor, never on the remote client's threads. Never loads.
   */
  public CompletableFuture<V> getIfPresentAsync(K key) {
    Checks.notNull("key", key);
    V value = local.getIfPresent(key);
    if (value != null) {
      localHits.increment();
      return CompletableFuture.completedFuture(value);
    }
    localMisses.increment();
    if (!remote.usable()) {
      return CompletableFuture.completedFuture(null);
    }
    long start = epoch(key);
    return remote
        .getAsync(key)
        .thenApplyAsync(
            found -> {
              if (found != null) {
                store(key, found, start, false);
              }
              return found;
            },
            executor);
  }

  /**
   * Stores {@code value} in the local tier and, without waiting, in the remote tier. Like an
   * invalidation, a put wins over loads of the key already in flight: their older values are not
   * cached over it.
   */
  public void put(K key, V value) {
    Checks.notNull("key", key);
    Checks.notNull("value", value);
    epochs.incrementAndGet(stripe(key));
    local.put(key, value);
    remote.put(key, value);
  }

  /** Removes {@code key} from both tiers (from the remote one without waiting). */
  public void invalidate(K key) {
    Checks.notNull("key", key);
    epochs.incrementAndGet(stripe(key));
    local.invalidate(key);
    remote.invalidate(key);
  }

  /** Removes every entry from both tiers (from the remote one without waiting). */
  public void invalidateAll() {
    for (int i = 0; i < EPOCH_STRIPES; i++) {
      epochs.incrementAndGet(i);
    }
    local.invalidateAll();
    remote.invalidateAll();
  }

  /**
   * Removes from the local tier every entry whose key matches, and keeps loads already in flight
   * (of any key) from being cached: what a caller uses to forget one group of keys (the results of
   * one statement) without forgetting the rest. The remote tier is not searched; its entries of
   * these keys expire on their own.
   */
  public void invalidateLocalIf(java.util.function.Predicate<? super K> keys) {
    Checks.notNull("keys", keys);
    for (int i = 0; i < EPOCH_STRIPES; i++) {
      epochs.incrementAndGet(i);
    }
    local.asMap().keySet().removeIf(keys);
  }

  /** Returns the estimated bytes held by the local tier, as the weigher counted them. */
  public long weightedSizeBytes() {
    return local.policy().eviction().orElseThrow().weightedSize().orElse(0L);
  }

  /** Returns the approximate number of entries in the local tier. */
  public long estimatedSize() {
    return local.estimatedSize();
  }

  /** Runs pending maintenance (evictions, expirations) now; useful in tests. */
  public void cleanUp() {
    local.cleanUp();
  }

  /** Returns counters since the cache was built. */
  public Stats stats() {
    return new Stats(
        localHits.sum(),
        localMisses.sum(),
        remote.hits.sum(),
        remote.misses.sum(),
        remote.errors.sum(),
        remote.timeouts.sum(),
        loads.sum(),
        loadFailures.sum(),
        evictions.sum(),
        expirations.sum());
  }

  /** Closes the remote tier; the cache then carries on with its local tier alone. Idempotent. */
  @Override
  public void close() {
    remote.close();
  }

  // --- the trip down the tiers ---

  private V loadThroughTiers(K key, Function<? super K, ? extends V> loader, long start) {
    V value = local.getIfPresent(key);
    if (value != null) {
      return value; // a flight that just landed filled it
    }
    value = remote.get(key);
    if (value != null) {
      store(key, value, start, false);
      return value;
    }
    loads.increment();
    try {
      value = loader.apply(key);
    } catch (RuntimeException | Error e) {
      loadFailures.increment();
      throw e;
    }
    if (value != null) {
      store(key, value, start, true);
    }
    return value;
  }

  private CompletableFuture<V> loadAsync(
      K key, Function<? super K, ? extends CompletionStage<? extends V>> loader, long start) {
    V value = local.getIfPresent(key);
    if (value != null) {
      return CompletableFuture.completedFuture(value);
    }
    if (!remote.usable()) {
      return callLoader(key, loader, start);
    }
    // Hop to the executor: the remote reply arrives on the remote client's (or the JDK's timeout)
    // thread, which must not run the loader.
    return remote
        .getAsync(key)
        .thenComposeAsync(
            found -> {
              if (found != null) {
                store(key, found, start, false);
                return CompletableFuture.completedFuture(found);
              }
              return callLoader(key, loader, start);
            },
            executor);
  }

  private CompletableFuture<V> callLoader(
      K key, Function<? super K, ? extends CompletionStage<? extends V>> loader, long start) {
    loads.increment();
    CompletionStage<? extends V> stage;
    try {
      stage = loader.apply(key);
      if (stage == null) {
        throw new NullPointerException("loader returned null instead of a CompletionStage");
      }
    } catch (Throwable t) {
      loadFailures.increment();
      return CompletableFuture.failedFuture(t);
    }
    return stage
        .<V>thenApply(loaded -> loaded)
        .toCompletableFuture()
        .whenComplete(
            (loaded, error) -> {
              if (error != null) {
                loadFailures.increment();
              } else if (loaded != null) {
                store(key, loaded, start, true);
              }
            });
  }

  /**
   * Caches a value found below the local tier, unless an invalidation happened since the lookup
   * started. Put first and check after: if the check misses an invalidation, that invalidation's
   * own removal comes after our put and removes the value; if it sees one, we remove it ourselves.
   *
   * <p>The remote tier gets the same argument, with "after" meaning once the tier answered the put:
   * an invalidation (or newer put) whose own remote write landed before ours bumped the epoch
   * before it was sent, so before our put was answered, and the check then removes our value from
   * the remote tier too. The worst case is a miss, never an older value outliving a newer write
   * there, where every other instance would read it.
   */
  private void store(K key, V value, long start, boolean alsoRemote) {
    if (epoch(key) != start) {
      return;
    }
    local.put(key, value);
    if (epoch(key) != start) {
      local.invalidate(key);
      return;
    }
    if (alsoRemote) {
      remote
          .put(key, value)
          .thenRun(
              () -> {
                if (epoch(key) != start) {
                  remote.invalidate(key);
                }
              });
    }
  }

  private long epoch(K key) {
    return epochs.get(stripe(key));
  }

  private static int stripe(Object key) {
    int h = key.hashCode();
    return (h ^ (h >>> 16)) & (EPOCH_STRIPES - 1);
  }

  private static RuntimeException rethrowable(Throwable error) {
    if (error instanceof RuntimeException) {
      return (RuntimeException) error;
    }
    if (error instanceof Error) {
      throw (Error) error;
    }
    return new CompletionException(error);
  }

  /** Flights are per key and per invalidation epoch, so nobody joins a load made stale. */
  private record Flight<K>(K key, long epoch) {}

  /**
   * Counters since the cache was built.
   *
   * @param localHits reads answered by the local tier
   * @param localMisses reads the local tier could not answer
   * @param remoteHits remote reads that found a value
   * @param remoteMisses remote reads that found nothing
   * @param remoteErrors remote operations that failed (reads, writes, invalidations)
   * @param remoteTimeouts remote reads given up after {@code remoteTimeout}
   * @param loads loader calls
   * @param loadFailures loader calls that threw or failed
   * @param evictions local entries evicted to stay within {@code maximumWeightBytes}
   * @param expirations local entries removed after {@code expireAfterWrite}
   */
  public record Stats(
      long localHits,
      long localMisses,
      long remoteHits,
      long remoteMisses,
      long remoteErrors,
      long remoteTimeouts,
      long loads,
      long loadFailures,
      long evictions,
      long expirations) {}
}
