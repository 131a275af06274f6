package dev.optimizer.runtime.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TieredCacheTest {

  private final ManualTicker ticker = new ManualTicker();

  private TieredCacheBuilder<String, String> builder() {
    return TieredCache.<String, String>builder()
        .weigher((key, value) -> value.length())
        .ticker(ticker)
        .executor(Runnable::run);
  }

  @Test
  void readThroughLoadsOnceThenHitsLocally() {
    TieredCache<String, String> cache = builder().build();
    AtomicInteger loads = new AtomicInteger();

    assertThat(cache.get("k", key -> key + loads.incrementAndGet())).isEqualTo("k1");
    assertThat(cache.get("k", key -> key + loads.incrementAndGet())).isEqualTo("k1");

    TieredCache.Stats stats = cache.stats();
    assertThat(stats.loads()).isOne();
    assertThat(stats.localHits()).isOne();
    assertThat(stats.localMisses()).isOne();
  }

  @Test
  void entriesExpireAfterWriteByTheInjectedTicker() {
    TieredCache<String, String> cache = builder().expireAfterWrite(Duration.ofMinutes(1)).build();
    cache.put("k", "v");

    ticker.advance(Duration.ofSeconds(59));
    assertThat(cache.getIfPresent("k")).isEqualTo("v");
    ticker.advance(Duration.ofSeconds(1));
    assertThat(cache.getIfPresent("k")).isNull();

    cache.cleanUp();
    assertThat(cache.stats().expirations()).isOne();
    assertThat(cache.stats().evictions()).isZero();
    assertThat(cache.estimatedSize()).isZero();
  }

  @Test
  void theLocalTierIsBoundedByBytes() {
    TieredCache<String, String> cache = builder().maximumWeightBytes(100).build();
    for (int i = 0; i < 20; i++) {
      cache.put("k" + i, "0123456789"); // 10 bytes each
    }
    cache.cleanUp();

    assertThat(cache.weightedSizeBytes()).isLessThanOrEqualTo(100);
    assertThat(cache.estimatedSize()).isEqualTo(10);
    assertThat(cache.stats().evictions()).isEqualTo(10);
  }

  @Test
  void aNegativeWeightIsRefusedClearly() {
    TieredCache<String, String> cache =
        TieredCache.<String, String>builder()
            .name("sizes")
            .weigher((key, value) -> -1)
            .executor(Runnable::run)
            .build();

    assertThatThrownBy(() -> cache.put("k", "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("weigher of TieredCache 'sizes' returned -1; must be >= 0");
  }

  @Test
  void aStampedeOnOneKeyRunsOneLoad() throws Exception {
    TieredCache<String, String> cache = builder().build();
    int threads = 8;
    AtomicInteger loads = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        results.add(
            pool.submit(
                () ->
                    cache.get(
                        "hot",
                        key -> {
                          loads.incrementAndGet();
                          await(release);
                          return "value";
                        })));
      }
      // Once all have missed locally, release the load. A caller that misses and arrives after
      // the load landed finds the value in the local tier on its way down, so the count is exact.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (cache.stats().localMisses() < threads) {
        assertThat(System.nanoTime()).isLessThan(deadline);
        Thread.onSpinWait();
      }
      release.countDown();

      for (Future<String> result : results) {
        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("value");
      }
      assertThat(loads).hasValue(1);
      assertThat(cache.stats().loads()).isOne();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFailingLoaderFailsTheCallerAndCachesNothing() {
    TieredCache<String, String> cache = builder().build();
    IllegalStateException boom = new IllegalStateException("db down");

    assertThatThrownBy(
            () ->
                cache.get(
                    "k",
                    key -> {
                      throw boom;
                    }))
        .isSameAs(boom);
    assertThat(cache.stats().loadFailures()).isOne();
    assertThat(cache.get("k", key -> "ok")).isEqualTo("ok");
  }

  @Test
  void aNullFromTheLoaderIsReturnedButNotCached() {
    TieredCache<String, String> cache = builder().build();

    assertThat(cache.get("k", key -> null)).isNull();
    assertThat(cache.estimatedSize()).isZero();
    assertThat(cache.getAsync("k", key -> CompletableFuture.completedFuture(null)).join()).isNull();
  }

  @Test
  void asyncReadThroughSharesLoadsAndCaches() {
    TieredCache<String, String> cache = builder().build();
    CompletableFuture<String> load = new CompletableFuture<>();
    AtomicInteger loads = new AtomicInteger();

    CompletableFuture<String> a = cache.getAsync("k", key -> countAnd(loads, load));
    CompletableFuture<String> b = cache.getAsync("k", key -> countAnd(loads, load));
    load.complete("v");

    assertThat(a).isCompletedWithValue("v");
    assertThat(b).isCompletedWithValue("v");
    assertThat(loads).hasValue(1);
    assertThat(cache.getIfPresent("k")).isEqualTo("v");

    CompletableFuture<String> failed =
        cache.getAsync("x", key -> CompletableFuture.failedFuture(new IllegalStateException("no")));
    assertThat(failed).isCompletedExceptionally();
    assertThat(cache.stats().loadFailures()).isOne();
  }

  @Test
  void anInvalidationDuringALoadKeepsItsValueOutOfTheCache() throws Exception {
    TieredCache<String, String> cache = builder().build();
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<String> reader =
          pool.submit(
              () ->
                  cache.get(
                      "k",
                      key -> {
                        loading.countDown();
                        await(release);
                        return "stale";
                      }));
      assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();

      cache.invalidate("k");
      // A reader arriving after the invalidation does not join the stale load.
      assertThat(cache.get("k", key -> "fresh")).isEqualTo("fresh");
      release.countDown();

      assertThat(reader.get(10, TimeUnit.SECONDS)).isEqualTo("stale");
      assertThat(cache.getIfPresent("k")).isEqualTo("fresh");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aPutDuringALoadIsNotOverwrittenByTheOlderLoadedValue() throws Exception {
    TieredCache<String, String> cache = builder().build();
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<String> reader =
          pool.submit(
              () ->
                  cache.get(
                      "k",
                      key -> {
                        loading.countDown();
                        await(release);
                        return "older";
                      }));
      assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();

      cache.put("k", "written");
      release.countDown();

      assertThat(reader.get(10, TimeUnit.SECONDS)).isEqualTo("older");
      assertThat(cache.getIfPresent("k")).isEqualTo("written");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void invalidateAllEmptiesTheLocalTier() {
    TieredCache<String, String> cache = builder().build();
    cache.put("a", "1");
    cache.put("b", "2");
    cache.invalidate("a");
    assertThat(cache.getIfPresent("a")).isNull();
    cache.invalidateAll();
    assertThat(cache.getIfPresent("b")).isNull();
  }

  @Test
  void builderRejectsBadSettingsNamingSettingRangeAndValue() {
    assertThatThrownBy(() -> builder().maximumWeightBytes(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maximumWeightBytes must be in [1, 1099511627776], but was 0");
    assertThatThrownBy(() -> builder().expireAfterWrite(Duration.ZERO))
        .hasMessage("expireAfterWrite must be in [PT0.001S, PT8760H], but was PT0S");
    assertThatThrownBy(() -> builder().remoteTimeout(Duration.ofMinutes(2)))
        .hasMessage("remoteTimeout must be in [PT0.001S, PT1M], but was PT2M");
    assertThatThrownBy(() -> builder().weigher((k, v) -> 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("weigher was already set");
    assertThatThrownBy(() -> TieredCache.<String, String>builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("weigher must be set: the local tier is bounded by bytes (maximumWeightBytes)");
    TieredCache<String, String> cache = builder().build();
    assertThatThrownBy(() -> cache.put("k", null)).hasMessage("value must not be null");
  }

  private static CompletableFuture<String> countAnd(
      AtomicInteger loads, CompletableFuture<String> load) {
    loads.incrementAndGet();
    return load;
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("latch never opened");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void invalidateLocalIfDropsOnlyTheMatchingKeysAndKeepsLoadsInFlightOut() throws Exception {
    TieredCache<String, String> cache = builder().build();
    cache.put("a1", "x");
    cache.put("a2", "y");
    cache.put("b1", "z");
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<String> inFlight =
          pool.submit(
              () ->
                  cache.get(
                      "b2",
                      k -> {
                        loading.countDown();
                        try {
                          release.await();
                        } catch (InterruptedException e) {
                          Thread.currentThread().interrupt();
                        }
                        return "old";
                      }));
      assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
      cache.invalidateLocalIf(k -> k.startsWith("a"));
      release.countDown();
      assertThat(inFlight.get(10, TimeUnit.SECONDS)).isEqualTo("old");
    } finally {
      pool.shutdownNow();
    }
    assertThat(cache.getIfPresent("a1")).isNull();
    assertThat(cache.getIfPresent("a2")).isNull();
    assertThat(cache.getIfPresent("b1")).isEqualTo("z");
    assertThat(cache.getIfPresent("b2")).isNull(); // the load began before: not cached
  }
}
