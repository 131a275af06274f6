package dev.optimizer.runtime.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.runtime.cache.InMemoryRemoteTier.Mode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TieredCacheRemoteTest {

  private final ManualTicker ticker = new ManualTicker();
  private final InMemoryRemoteTier<String, String> remote = new InMemoryRemoteTier<>();

  private TieredCache<String, String> cache() {
    return TieredCache.<String, String>builder()
        .name("tiered")
        .weigher((key, value) -> value.length())
        .expireAfterWrite(Duration.ofMinutes(2))
        .remoteTier(remote)
        // Real time, but short: a reply that never comes is given up on after 10 ms.
        .remoteTimeout(Duration.ofMillis(10))
        .ticker(ticker)
        .executor(Runnable::run)
        .build();
  }

  @Test
  void aRemoteHitIsCopiedUpAndSavesTheLoad() {
    TieredCache<String, String> cache = cache();
    remote.store.put("k", "remote");

    assertThat(cache.get("k", key -> "loaded")).isEqualTo("remote");
    assertThat(cache.get("k", key -> "loaded")).isEqualTo("remote");

    TieredCache.Stats stats = cache.stats();
    assertThat(stats.remoteHits()).isOne();
    assertThat(stats.localHits()).isOne();
    assertThat(stats.loads()).isZero();
    assertThat(remote.gets).hasValue(1);
    assertThat(remote.puts).as("a value from the remote tier is not written back").hasValue(0);
  }

  @Test
  void aLoadedValueIsWrittenToTheRemoteTierWithTheTtl() {
    TieredCache<String, String> cache = cache();

    assertThat(cache.get("k", key -> "loaded")).isEqualTo("loaded");

    assertThat(cache.stats().remoteMisses()).isOne();
    assertThat(remote.store).containsEntry("k", "loaded");
    assertThat(remote.ttls).containsEntry("k", Duration.ofMinutes(2));
  }

  @Test
  void aRemoteTierThatNeverAnswersFallsBackToTheLoaderAfterTheTimeout() {
    TieredCache<String, String> cache = cache();
    remote.mode = Mode.NEVER_COMPLETES;

    assertThat(cache.get("k", key -> "loaded")).isEqualTo("loaded");
    assertThat(cache.getIfPresent("other")).isNull();

    TieredCache.Stats stats = cache.stats();
    assertThat(stats.remoteTimeouts()).isEqualTo(2);
    assertThat(stats.loads()).isOne();
    assertThat(cache.get("k", key -> "again")).as("served locally now").isEqualTo("loaded");
  }

  @Test
  void asyncReadsFallBackAfterTheTimeoutToo() throws Exception {
    TieredCache<String, String> cache = cache();
    remote.mode = Mode.NEVER_COMPLETES;

    CompletableFuture<String> value =
        cache.getAsync("k", key -> CompletableFuture.completedFuture("loaded"));

    assertThat(value.get(10, TimeUnit.SECONDS)).isEqualTo("loaded");
    assertThat(cache.stats().remoteTimeouts()).isOne();
  }

  @Test
  void remoteFailuresNeverFailARead() throws Exception {
    TieredCache<String, String> cache = cache();
    remote.mode = Mode.FAILS;
    assertThat(cache.get("a", key -> "A")).isEqualTo("A");
    assertThat(cache.getAsync("b", key -> CompletableFuture.completedFuture("B")).get())
        .isEqualTo("B");

    remote.mode = Mode.THROWS;
    assertThat(cache.get("c", key -> "C")).isEqualTo("C");
    assertThat(cache.getAsync("d", key -> CompletableFuture.completedFuture("D")).get())
        .isEqualTo("D");
    cache.put("e", "E");
    cache.invalidate("a");
    cache.invalidateAll();

    TieredCache.Stats stats = cache.stats();
    assertThat(stats.loads()).isEqualTo(4);
    // Per read: the failed get and the failed write-back; then put, invalidate, invalidateAll.
    assertThat(stats.remoteErrors()).isEqualTo(11);
  }

  @Test
  void asyncReadsUseTheRemoteTier() throws Exception {
    TieredCache<String, String> cache = cache();
    remote.store.put("k", "remote");

    assertThat(cache.getAsync("k", key -> CompletableFuture.completedFuture("loaded")).get())
        .isEqualTo("remote");
    assertThat(cache.getAsync("m", key -> CompletableFuture.completedFuture("loaded")).get())
        .isEqualTo("loaded");
    assertThat(remote.store).containsEntry("m", "loaded");
  }

  @Test
  void writesAndInvalidationsReachTheRemoteTier() {
    TieredCache<String, String> cache = cache();
    cache.put("k", "v");
    assertThat(remote.store).containsEntry("k", "v");

    cache.invalidate("k");
    assertThat(remote.store).doesNotContainKey("k");
    assertThat(cache.getIfPresent("k")).isNull();

    cache.put("x", "1");
    cache.invalidateAll();
    assertThat(remote.store).isEmpty();
  }

  @Test
  void getIfPresentLooksInTheRemoteTierAndCopiesUp() {
    TieredCache<String, String> cache = cache();
    remote.store.put("k", "remote");

    assertThat(cache.getIfPresent("k")).isEqualTo("remote");
    remote.store.clear();
    assertThat(cache.getIfPresent("k")).isEqualTo("remote");
    assertThat(cache.stats().loads()).isZero();
  }

  @Test
  void getIfPresentLocallyNeverAsksTheRemoteTier() {
    TieredCache<String, String> cache = cache();
    remote.store.put("k", "remote");

    assertThat(cache.getIfPresentLocally("k")).isNull();
    assertThat(remote.gets).hasValue(0);
    cache.put("m", "local");
    assertThat(cache.getIfPresentLocally("m")).isEqualTo("local");
  }

  @Test
  void getIfPresentAsyncCopiesARemoteHitUpAndNeverFails() throws Exception {
    TieredCache<String, String> cache = cache();
    remote.store.put("k", "remote");

    assertThat(cache.getIfPresentAsync("k").get(1, TimeUnit.SECONDS)).isEqualTo("remote");
    assertThat(cache.getIfPresentLocally("k")).isEqualTo("remote");
    assertThat(cache.getIfPresentAsync("absent").get(1, TimeUnit.SECONDS)).isNull();
    assertThat(cache.stats().loads()).isZero();
    assertThat(remote.puts).hasValue(0);

    remote.mode = Mode.FAILS;
    assertThat(cache.getIfPresentAsync("x").get(1, TimeUnit.SECONDS)).isNull();
    remote.mode = Mode.NEVER_COMPLETES;
    assertThat(cache.getIfPresentAsync("y").get(1, TimeUnit.SECONDS)).isNull();
    assertThat(cache.stats().remoteTimeouts()).isOne();
    assertThat(cache.stats().remoteErrors()).isOne();
  }

  @Test
  void closeClosesTheRemoteTierOnceAndTheLocalTierCarriesOn() {
    TieredCache<String, String> cache = cache();
    cache.put("k", "v");

    cache.close();
    cache.close();

    assertThat(remote.closes).hasValue(1);
    int getsBefore = remote.gets.get();
    assertThat(cache.getIfPresent("k")).isEqualTo("v");
    assertThat(cache.get("other", key -> "loaded")).isEqualTo("loaded");
    assertThat(remote.gets).as("no remote calls after close").hasValue(getsBefore);
  }

  @Test
  void anInvalidationThatReachesTheRemoteTierBeforeALoadsPutStillWins() {
    // The load's remote put is sent after its epoch check; an invalidation runs in between and its
    // remote removal lands first. Without a check after the put, the old value would stay in the
    // remote tier for the whole TTL, read by every instance.
    Runnable[] duringPut = {null};
    RemoteTier<String, String> racing =
        new RemoteTier<>() {
          @Override
          public CompletableFuture<String> get(String key) {
            return remote.get(key);
          }

          @Override
          public CompletableFuture<Void> put(String key, String value, Duration ttl) {
            Runnable r = duringPut[0];
            duringPut[0] = null;
            if (r != null) {
              r.run();
            }
            return remote.put(key, value, ttl);
          }

          @Override
          public CompletableFuture<Void> invalidate(String key) {
            return remote.invalidate(key);
          }

          @Override
          public CompletableFuture<Void> invalidateAll() {
            return remote.invalidateAll();
          }

          @Override
          public void close() {}
        };
    TieredCache<String, String> cache =
        TieredCache.<String, String>builder()
            .name("racing")
            .weigher((key, value) -> value.length())
            .expireAfterWrite(Duration.ofMinutes(2))
            .remoteTier(racing)
            .ticker(ticker)
            .executor(Runnable::run)
            .build();
    duringPut[0] = () -> cache.invalidate("k");

    assertThat(cache.get("k", key -> "old")).isEqualTo("old");

    assertThat(remote.store).doesNotContainKey("k");
    assertThat(cache.get("k", key -> "fresh")).isEqualTo("fresh");
  }
}
