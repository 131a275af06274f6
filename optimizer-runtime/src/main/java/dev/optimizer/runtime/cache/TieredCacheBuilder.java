package dev.optimizer.runtime.cache;

import dev.optimizer.api.Ticker;
import dev.optimizer.api.internal.Checks;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * Settings of a {@link TieredCache}, each checked when given; a setting may be given once. Obtain
 * one from {@link TieredCache#builder()}.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th></tr>
 *   <tr><td>weigher</td><td>required</td><td></td></tr>
 *   <tr><td>maximumWeightBytes</td><td>64 MiB</td><td>[1, 1 TiB]</td></tr>
 *   <tr><td>expireAfterWrite</td><td>5 min</td><td>[1 ms, 365 days]</td></tr>
 *   <tr><td>remoteTier</td><td>none</td><td></td></tr>
 *   <tr><td>remoteTimeout</td><td>50 ms</td><td>[1 ms, 60 s]</td></tr>
 * </table>
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class TieredCacheBuilder<K, V> {

  static final long MAX_WEIGHT_BYTES = 1L << 40;
  static final Duration MAX_EXPIRE_AFTER_WRITE = Duration.ofDays(365);
  static final Duration MAX_REMOTE_TIMEOUT = Duration.ofSeconds(60);
  static final Duration MIN_DURATION = Duration.ofMillis(1);

  // Read by TieredCache's constructor once build() has filled in the defaults.
  String name;
  Weigher<K, V> weigher;
  Long maximumWeightBytes;
  Duration expireAfterWrite;
  RemoteTier<K, V> remoteTier;
  Duration remoteTimeout;
  Ticker ticker;
  Executor executor;

  TieredCacheBuilder() {}

  /** Names the cache in errors and logs. Default {@code "cache"}. */
  public TieredCacheBuilder<K, V> name(String name) {
    Checks.notSetBefore("name", this.name != null);
    this.name = Checks.notBlank("name", name);
    return this;
  }

  /** Sets how entries are sized in bytes. Required. */
  public TieredCacheBuilder<K, V> weigher(Weigher<K, V> weigher) {
    Checks.notSetBefore("weigher", this.weigher != null);
    this.weigher = Checks.notNull("weigher", weigher);
    return this;
  }

  /**
   * Sets the bound of the local tier in bytes, as counted by the weigher, in {@code [1, 2^40]};
   * default 64 MiB.
   */
  public TieredCacheBuilder<K, V> maximumWeightBytes(long maximumWeightBytes) {
    Checks.notSetBefore("maximumWeightBytes", this.maximumWeightBytes != null);
    this.maximumWeightBytes =
        Checks.inRange("maximumWeightBytes", maximumWeightBytes, 1L, MAX_WEIGHT_BYTES);
    return this;
  }

  /**
   * Sets how long after it was written an entry expires, in both tiers, in {@code [1ms, 365d]};
   * default 5 minutes.
   */
  public TieredCacheBuilder<K, V> expireAfterWrite(Duration expireAfterWrite) {
    Checks.notSetBefore("expireAfterWrite", this.expireAfterWrite != null);
    this.expireAfterWrite =
        Checks.inRange("expireAfterWrite", expireAfterWrite, MIN_DURATION, MAX_EXPIRE_AFTER_WRITE);
    return this;
  }

  /**
   * Adds a remote tier behind the local one; the cache closes it on {@link TieredCache#close()}.
   */
  public TieredCacheBuilder<K, V> remoteTier(RemoteTier<K, V> remoteTier) {
    Checks.notSetBefore("remoteTier", this.remoteTier != null);
    this.remoteTier = Checks.notNull("remoteTier", remoteTier);
    return this;
  }

  /**
   * Sets how long a read waits for the remote tier before treating it as a miss, in {@code [1ms,
   * 60s]}; default 50 ms.
   */
  public TieredCacheBuilder<K, V> remoteTimeout(Duration remoteTimeout) {
    Checks.notSetBefore("remoteTimeout", this.remoteTimeout != null);
    this.remoteTimeout =
        Checks.inRange("remoteTimeout", remoteTimeout, MIN_DURATION, MAX_REMOTE_TIMEOUT);
    return this;
  }

  /** Sets the time source of local expiry. Default {@link Ticker#system()}. */
  public TieredCacheBuilder<K, V> ticker(Ticker ticker) {
    Checks.notSetBefore("ticker", this.ticker != null);
    this.ticker = Checks.notNull("ticker", ticker);
    return this;
  }

  /**
   * Sets the executor of local maintenance and of the work following a remote reply. Default {@code
   * ForkJoinPool.commonPool()}; {@code Runnable::run} makes tests deterministic.
   */
  public TieredCacheBuilder<K, V> executor(Executor executor) {
    Checks.notSetBefore("executor", this.executor != null);
    this.executor = Checks.notNull("executor", executor);
    return this;
  }

  /**
   * Builds the cache.
   *
   * @throws IllegalStateException if no weigher was given
   */
  public TieredCache<K, V> build() {
    if (weigher == null) {
      throw new IllegalStateException(
          "weigher must be set: the local tier is bounded by bytes (maximumWeightBytes)");
    }
    name = name == null ? "cache" : name;
    maximumWeightBytes = maximumWeightBytes == null ? 64L << 20 : maximumWeightBytes;
    expireAfterWrite = expireAfterWrite == null ? Duration.ofMinutes(5) : expireAfterWrite;
    remoteTimeout = remoteTimeout == null ? Duration.ofMillis(50) : remoteTimeout;
    ticker = ticker == null ? Ticker.system() : ticker;
    executor = executor == null ? ForkJoinPool.commonPool() : executor;
    return new TieredCache<>(this);
  }
}
