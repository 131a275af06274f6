package dev.optimizer.http;

import dev.optimizer.api.internal.Checks;
import dev.optimizer.http.internal.HttpSettings;
import dev.optimizer.http.internal.ResponseTooLargeException;
import dev.optimizer.http.internal.cache.SharedTiers;
import dev.optimizer.http.internal.hedge.HedgeStep;
import dev.optimizer.http.internal.limit.HostLimit;
import dev.optimizer.http.internal.retry.BreakerStep;
import dev.optimizer.http.internal.retry.RetryStep;
import dev.optimizer.runtime.Optimizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Settings of an {@link HttpOptimizer}, each checked when given (a bad value gets an {@link
 * IllegalArgumentException} naming the setting, its range and the value); a setting may be given
 * once; rules between settings are checked by {@link #build()}. Obtain one from {@link
 * HttpOptimizer#builder(Optimizer)}.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th></tr>
 *   <tr><td>name</td><td>http</td><td>letters, digits, '-', '_', '.'</td></tr>
 *   <tr><td>cache</td><td>true</td><td></td></tr>
 *   <tr><td>cacheMode</td><td>PRIVATE</td><td>PRIVATE, SHARED</td></tr>
 *   <tr><td>cacheRemote</td><td>none</td><td>{@link RemoteCacheSettings} (Redis; needs
 *       Lettuce)</td></tr>
 *   <tr><td>cacheMaxBytes</td><td>64 MiB</td><td>[1 KiB, 1 TiB]</td></tr>
 *   <tr><td>cacheMaxVariants</td><td>16</td><td>[1, 1024] per URI</td></tr>
 *   <tr><td>cacheMaxRetention</td><td>24 h</td><td>[1 s, 365 d]</td></tr>
 *   <tr><td>heuristicFreshnessCap</td><td>24 h</td><td>[0, 365 d]</td></tr>
 *   <tr><td>coalescing</td><td>true</td><td></td></tr>
 *   <tr><td>hedging</td><td>true</td><td></td></tr>
 *   <tr><td>hedgePercentile</td><td>95</td><td>[50, 99.99]</td></tr>
 *   <tr><td>hedgeMinDelay</td><td>1 ms</td><td>[0, 1 min]</td></tr>
 *   <tr><td>hedgeMaxDelay</td><td>10 s</td><td>[hedgeMinDelay, 10 min]</td></tr>
 *   <tr><td>maxHedges</td><td>2</td><td>[1, 5]</td></tr>
 *   <tr><td>hedgeWarmupSamples</td><td>50</td><td>[1, 1024]</td></tr>
 *   <tr><td>maxAttempts</td><td>3</td><td>[1, 10]; 1 turns retries off</td></tr>
 *   <tr><td>retryBaseDelay</td><td>50 ms</td><td>[1 ms, 1 min]</td></tr>
 *   <tr><td>retryMaxDelay</td><td>2 s</td><td>[retryBaseDelay, 10 min]</td></tr>
 *   <tr><td>maxRetryAfter</td><td>30 s</td><td>[0, 1 h]</td></tr>
 *   <tr><td>budgetRatio</td><td>0.05</td><td>[0, 1] extra requests per request, over 10 s</td></tr>
 *   <tr><td>budgetReserve</td><td>10</td><td>[0, 100000] per 10 s</td></tr>
 *   <tr><td>adaptiveLimit</td><td>true</td><td></td></tr>
 *   <tr><td>limitAlgorithm</td><td>GRADIENT</td><td>GRADIENT, AIMD</td></tr>
 *   <tr><td>initialLimit</td><td>20</td><td>[minLimit, maxLimit]</td></tr>
 *   <tr><td>minLimit</td><td>4</td><td>[1, 100000]</td></tr>
 *   <tr><td>maxLimit</td><td>1000</td><td>[minLimit, 100000]</td></tr>
 *   <tr><td>limitQueueTimeout</td><td>2 s</td><td>[0, 1 h]</td></tr>
 *   <tr><td>limitMaxQueued</td><td>1000</td><td>[0, 1000000]</td></tr>
 *   <tr><td>limitSignalSlice</td><td>1 s</td><td>[10 ms, 1 min]</td></tr>
 *   <tr><td>circuitBreaker</td><td>true</td><td></td></tr>
 *   <tr><td>breakerFailureRate</td><td>50</td><td>[1, 100] percent</td></tr>
 *   <tr><td>breakerMinimumCalls</td><td>100</td><td>[1, 100000]</td></tr>
 *   <tr><td>breakerOpenDuration</td><td>30 s</td><td>[1 ms, 1 h]</td></tr>
 *   <tr><td>maxResponseBodyBytes</td><td>64 MiB</td><td>[1 KiB, 1 GiB]</td></tr>
 *   <tr><td>identityField</td><td>Authorization, Proxy-Authorization, Cookie</td><td>more may be
 *       added</td></tr>
 * </table>
 */
public final class HttpOptimizerBuilder {
  private static final Duration DAY = Duration.ofDays(1);

  private final Optimizer optimizer;
  private final Set<String> given = new HashSet<>();
  private String name = "http";
  private boolean cache = true;
  private CacheMode cacheMode = CacheMode.PRIVATE;
  private RemoteCacheSettings cacheRemote;
  private long cacheMaxBytes = 64L << 20;
  private int cacheMaxVariants = 16;
  private Duration cacheMaxRetention = DAY;
  private Duration heuristicFreshnessCap = DAY;
  private boolean coalescing = true;
  private boolean hedging = true;
  private double hedgePercentile = 95;
  private Duration hedgeMinDelay = Duration.ofMillis(1);
  private Duration hedgeMaxDelay = Duration.ofSeconds(10);
  private int maxHedges = 2;
  private int hedgeWarmupSamples = 50;
  private int maxAttempts = 3;
  private Duration retryBaseDelay = Duration.ofMillis(50);
  private Duration retryMaxDelay = Duration.ofSeconds(2);
  private Duration maxRetryAfter = Duration.ofSeconds(30);
  private double budgetRatio = 0.05;
  private int budgetReserve = 10;
  private boolean adaptiveLimit = true;
  private LimitAlgorithm limitAlgorithm = LimitAlgorithm.GRADIENT;
  private Integer initialLimit;
  private int minLimit = 4;
  private int maxLimit = 1000;
  private Duration limitQueueTimeout = Duration.ofSeconds(2);
  private int limitMaxQueued = 1000;
  private Duration limitSignalSlice = Duration.ofSeconds(1);
  private boolean circuitBreaker = true;
  private float breakerFailureRate = 50;
  private int breakerMinimumCalls = 100;
  private Duration breakerOpenDuration = Duration.ofSeconds(30);
  private long maxResponseBodyBytes = 64L << 20;
  private final List<String> identityFields = new ArrayList<>();

  HttpOptimizerBuilder(Optimizer optimizer) {
    this.optimizer = optimizer;
  }

  private void once(String setting) {
    Checks.notSetBefore(setting, !given.add(setting));
  }

  /** Names this HttpOptimizer in knob names, metrics and thread names. */
  public HttpOptimizerBuilder name(String name) {
    once("name");
    Checks.notBlank("name", name);
    if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new IllegalArgumentException(
          "name must be 1 to 64 letters, digits, '.', '_' or '-', but was '" + name + "'");
    }
    this.name = name;
    return this;
  }

  /** Whether responses are cached (RFC 9111). */
  public HttpOptimizerBuilder cache(boolean enabled) {
    once("cache");
    this.cache = enabled;
    return this;
  }

  /** Private (per identity) or shared cache rules. */
  public HttpOptimizerBuilder cacheMode(CacheMode mode) {
    once("cacheMode");
    this.cacheMode = Checks.notNull("cacheMode", mode);
    return this;
  }

  /**
   * Adds a Redis tier that the cache of every instance configured alike shares (see {@link
   * RemoteCacheSettings}); the application brings {@code io.lettuce:lettuce-core}.
   */
  public HttpOptimizerBuilder cacheRemote(RemoteCacheSettings remote) {
    once("cacheRemote");
    this.cacheRemote = Checks.notNull("cacheRemote", remote);
    return this;
  }

  /** The cache's bound, counting bodies and header fields, in [1 KiB, 1 TiB]. */
  public HttpOptimizerBuilder cacheMaxBytes(long bytes) {
    once("cacheMaxBytes");
    this.cacheMaxBytes = Checks.inRange("cacheMaxBytes", bytes, 1024L, 1L << 40);
    return this;
  }

  /** How many variants ({@code Vary}) of one URI are kept, in [1, 1024]. */
  public HttpOptimizerBuilder cacheMaxVariants(int variants) {
    once("cacheMaxVariants");
    this.cacheMaxVariants = Checks.inRange("cacheMaxVariants", variants, 1, 1024);
    return this;
  }

  /**
   * How long a stored response is kept at all — beyond its freshness, for validation and
   * stale-if-error — in [1 s, 365 d].
   */
  public HttpOptimizerBuilder cacheMaxRetention(Duration retention) {
    once("cacheMaxRetention");
    this.cacheMaxRetention =
        Checks.inRange("cacheMaxRetention", retention, Duration.ofSeconds(1), Duration.ofDays(365));
    return this;
  }

  /** The most heuristic freshness (10% of the time since Last-Modified) given, in [0, 365 d]. */
  public HttpOptimizerBuilder heuristicFreshnessCap(Duration cap) {
    once("heuristicFreshnessCap");
    this.heuristicFreshnessCap =
        Checks.inRange("heuristicFreshnessCap", cap, Duration.ZERO, Duration.ofDays(365));
    return this;
  }

  /** Whether identical GETs in flight at once are joined. */
  public HttpOptimizerBuilder coalescing(boolean enabled) {
    once("coalescing");
    this.coalescing = enabled;
    return this;
  }

  /** Whether safe requests are hedged. */
  public HttpOptimizerBuilder hedging(boolean enabled) {
    once("hedging");
    this.hedging = enabled;
    return this;
  }

  /** The percentile of recent latencies a hedge waits for, in [50, 99.99]. */
  public HttpOptimizerBuilder hedgePercentile(double percentile) {
    once("hedgePercentile");
    this.hedgePercentile = Checks.inRange("hedgePercentile", percentile, 50.0, 99.99);
    return this;
  }

  /** The shortest hedge delay, in [0, 1 min]. */
  public HttpOptimizerBuilder hedgeMinDelay(Duration delay) {
    once("hedgeMinDelay");
    this.hedgeMinDelay =
        Checks.inRange("hedgeMinDelay", delay, Duration.ZERO, Duration.ofMinutes(1));
    return this;
  }

  /** The longest hedge delay, in [hedgeMinDelay, 10 min]. */
  public HttpOptimizerBuilder hedgeMaxDelay(Duration delay) {
    once("hedgeMaxDelay");
    this.hedgeMaxDelay =
        Checks.inRange("hedgeMaxDelay", delay, Duration.ZERO, Duration.ofMinutes(10));
    return this;
  }

  /** How many backups one request may get, in [1, 5]. */
  public HttpOptimizerBuilder maxHedges(int hedges) {
    once("maxHedges");
    this.maxHedges = Checks.inRange("maxHedges", hedges, 1, 5);
    return this;
  }

  /** Latencies of a host seen before its first hedge, in [1, 1024]. */
  public HttpOptimizerBuilder hedgeWarmupSamples(int samples) {
    once("hedgeWarmupSamples");
    this.hedgeWarmupSamples = Checks.inRange("hedgeWarmupSamples", samples, 1, 1024);
    return this;
  }

  /** Attempts per request, the first included, in [1, 10]; 1 turns retries off. */
  public HttpOptimizerBuilder maxAttempts(int attempts) {
    once("maxAttempts");
    this.maxAttempts = Checks.inRange("maxAttempts", attempts, 1, 10);
    return this;
  }

  /** The back-off before the first retry (doubled each time, fully jittered), in [1 ms, 1 min]. */
  public HttpOptimizerBuilder retryBaseDelay(Duration delay) {
    once("retryBaseDelay");
    this.retryBaseDelay =
        Checks.inRange("retryBaseDelay", delay, Duration.ofMillis(1), Duration.ofMinutes(1));
    return this;
  }

  /** The longest back-off, in [retryBaseDelay, 10 min]. */
  public HttpOptimizerBuilder retryMaxDelay(Duration delay) {
    once("retryMaxDelay");
    this.retryMaxDelay =
        Checks.inRange("retryMaxDelay", delay, Duration.ofMillis(1), Duration.ofMinutes(10));
    return this;
  }

  /** The longest Retry-After honoured; an answer asking for more is returned, in [0, 1 h]. */
  public HttpOptimizerBuilder maxRetryAfter(Duration max) {
    once("maxRetryAfter");
    this.maxRetryAfter = Checks.inRange("maxRetryAfter", max, Duration.ZERO, Duration.ofHours(1));
    return this;
  }

  /** Extra requests (hedges and retries together) allowed per request, in [0, 1]. */
  public HttpOptimizerBuilder budgetRatio(double ratio) {
    once("budgetRatio");
    this.budgetRatio = Checks.inRange("budgetRatio", ratio, 0.0, 1.0);
    return this;
  }

  /** Extra requests allowed in any ten seconds whatever the traffic, in [0, 100000]. */
  public HttpOptimizerBuilder budgetReserve(int tokens) {
    once("budgetReserve");
    this.budgetReserve = Checks.inRange("budgetReserve", tokens, 0, 100_000);
    return this;
  }

  /** Whether each host gets an adaptive concurrency limit. */
  public HttpOptimizerBuilder adaptiveLimit(boolean enabled) {
    once("adaptiveLimit");
    this.adaptiveLimit = enabled;
    return this;
  }

  /** The controller of the limits. */
  public HttpOptimizerBuilder limitAlgorithm(LimitAlgorithm algorithm) {
    once("limitAlgorithm");
    this.limitAlgorithm = Checks.notNull("limitAlgorithm", algorithm);
    return this;
  }

  /** Each host's first limit, in [minLimit, maxLimit] (checked by build()). */
  public HttpOptimizerBuilder initialLimit(int limit) {
    once("initialLimit");
    this.initialLimit = Checks.inRange("initialLimit", limit, 1, 100_000);
    return this;
  }

  /** The lowest limit, in [1, 100000]. */
  public HttpOptimizerBuilder minLimit(int limit) {
    once("minLimit");
    this.minLimit = Checks.inRange("minLimit", limit, 1, 100_000);
    return this;
  }

  /** The highest limit, in [1, 100000], at least minLimit (checked by build()). */
  public HttpOptimizerBuilder maxLimit(int limit) {
    once("maxLimit");
    this.maxLimit = Checks.inRange("maxLimit", limit, 1, 100_000);
    return this;
  }

  /** How long a request waits for room under its host's limit, in [0, 1 h]. */
  public HttpOptimizerBuilder limitQueueTimeout(Duration timeout) {
    once("limitQueueTimeout");
    this.limitQueueTimeout =
        Checks.inRange("limitQueueTimeout", timeout, Duration.ZERO, Duration.ofHours(1));
    return this;
  }

  /** How many requests may wait per host, in [0, 1000000]. */
  public HttpOptimizerBuilder limitMaxQueued(int queued) {
    once("limitMaxQueued");
    this.limitMaxQueued = Checks.inRange("limitMaxQueued", queued, 0, 1_000_000);
    return this;
  }

  /** The throughput slice of each host's latency signal, in [10 ms, 1 min]. */
  public HttpOptimizerBuilder limitSignalSlice(Duration slice) {
    once("limitSignalSlice");
    this.limitSignalSlice =
        Checks.inRange("limitSignalSlice", slice, Duration.ofMillis(10), Duration.ofMinutes(1));
    return this;
  }

  /** Whether each host gets a circuit breaker. */
  public HttpOptimizerBuilder circuitBreaker(boolean enabled) {
    once("circuitBreaker");
    this.circuitBreaker = enabled;
    return this;
  }

  /** The failure rate (percent) that opens a breaker, in [1, 100]. */
  public HttpOptimizerBuilder breakerFailureRate(double percent) {
    once("breakerFailureRate");
    this.breakerFailureRate = (float) Checks.inRange("breakerFailureRate", percent, 1.0, 100.0);
    return this;
  }

  /** Calls a breaker sees before it may open (also its window), in [1, 100000]. */
  public HttpOptimizerBuilder breakerMinimumCalls(int calls) {
    once("breakerMinimumCalls");
    this.breakerMinimumCalls = Checks.inRange("breakerMinimumCalls", calls, 1, 100_000);
    return this;
  }

  /** How long an open breaker refuses calls before it tries again, in [1 ms, 1 h]. */
  public HttpOptimizerBuilder breakerOpenDuration(Duration duration) {
    once("breakerOpenDuration");
    this.breakerOpenDuration =
        Checks.inRange("breakerOpenDuration", duration, Duration.ofMillis(1), Duration.ofHours(1));
    return this;
  }

  /**
   * The largest response body buffered (to cache or share it), in [1 KiB, 1 GiB]. A larger one is
   * handed to the caller's BodyHandler as it arrives, unbuffered; only a br body that the Netty
   * transport decodes (which it must read whole to decode) fails its request when larger than this
   * as sent.
   */
  public HttpOptimizerBuilder maxResponseBodyBytes(long bytes) {
    once("maxResponseBodyBytes");
    this.maxResponseBodyBytes =
        Checks.inRange(
            "maxResponseBodyBytes",
            bytes,
            ResponseTooLargeException.MIN_CAP,
            ResponseTooLargeException.MAX_CAP);
    return this;
  }

  /**
   * Adds a request header field that tells identities apart (an API key header, a tenant field),
   * besides Authorization, Proxy-Authorization and Cookie. May be called several times.
   */
  public HttpOptimizerBuilder identityField(String field) {
    Checks.notBlank("identityField", field);
    identityFields.add(field.trim().toLowerCase(Locale.ROOT));
    return this;
  }

  /**
   * Checks the rules between settings and builds the HttpOptimizer; it is closed with the
   * optimizer.
   *
   * @throws IllegalArgumentException if minLimit exceeds maxLimit, initialLimit is outside them,
   *     hedgeMaxDelay is below hedgeMinDelay, retryMaxDelay below retryBaseDelay, or cacheRemote is
   *     given with the cache off
   * @throws IllegalStateException if cacheRemote is given and Lettuce is not on the class path, or
   *     if the optimizer is closed (then nothing is started: no thread, connection or instrument)
   */
  public HttpOptimizer build() {
    if (cacheRemote != null && !cache) {
      throw new IllegalArgumentException(
          "cacheRemote needs the cache: cache(false) was given together with cacheRemote");
    }
    if (cacheRemote != null && !SharedTiers.redisClientPresent()) {
      throw new IllegalStateException(
          "cacheRemote needs the Redis client io.lettuce:lettuce-core (7.x) on the class path;"
              + " add it as a dependency");
    }
    if (minLimit > maxLimit) {
      throw new IllegalArgumentException(
          "minLimit must be <= maxLimit (" + maxLimit + "), but was " + minLimit);
    }
    int initial =
        initialLimit == null
            // Low, like the runtime limiter's default: the gradient grows a limit that latency
            // allows, but cannot learn the no-load latency from a start that is already overloaded.
            ? Math.max(minLimit, Math.min(20, maxLimit))
            : Checks.inRange("initialLimit", initialLimit, minLimit, maxLimit);
    if (hedgeMaxDelay.compareTo(hedgeMinDelay) < 0) {
      throw new IllegalArgumentException(
          "hedgeMaxDelay must be >= hedgeMinDelay ("
              + hedgeMinDelay
              + "), but was "
              + hedgeMaxDelay);
    }
    if (retryMaxDelay.compareTo(retryBaseDelay) < 0) {
      throw new IllegalArgumentException(
          "retryMaxDelay must be >= retryBaseDelay ("
              + retryBaseDelay
              + "), but was "
              + retryMaxDelay);
    }
    HttpSettings s =
        new HttpSettings(
            name,
            cache,
            cacheMode == CacheMode.SHARED,
            cacheRemote,
            cacheMaxBytes,
            cacheMaxVariants,
            cacheMaxRetention,
            heuristicFreshnessCap,
            coalescing,
            hedging,
            new HedgeStep.Settings(
                hedgePercentile, hedgeMinDelay, hedgeMaxDelay, maxHedges, 1024, hedgeWarmupSamples),
            maxAttempts,
            new RetryStep.Settings(maxAttempts, retryBaseDelay, retryMaxDelay, maxRetryAfter),
            budgetRatio,
            budgetReserve,
            adaptiveLimit,
            new HostLimit.Settings(
                initial,
                minLimit,
                maxLimit,
                limitMaxQueued,
                limitQueueTimeout,
                limitAlgorithm == LimitAlgorithm.AIMD,
                limitSignalSlice),
            circuitBreaker,
            new BreakerStep.Settings(
                breakerFailureRate, breakerMinimumCalls, breakerMinimumCalls, breakerOpenDuration),
            maxResponseBodyBytes,
            List.copyOf(identityFields));
    return new HttpOptimizer(optimizer, s);
  }
}
