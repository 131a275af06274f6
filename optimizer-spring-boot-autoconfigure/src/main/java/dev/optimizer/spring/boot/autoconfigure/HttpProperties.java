package dev.optimizer.spring.boot.autoconfigure;

import java.time.Duration;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.util.unit.DataSize;

/**
 * {@code optimizer.http.*}: the HTTP pipeline put in front of RestClient, WebClient and JDK
 * HttpClient beans ({@code HttpOptimizerBuilder}, same defaults and ranges). Free of optimizer-http
 * types, so that the properties bind (and fail on unknown names) when that module is absent. {@code
 * enabled} and {@code excluded-beans} are those of {@link BeanWrappingProperties}.
 */
public class HttpProperties extends BeanWrappingProperties {
  private static final String P = "optimizer.http.";

  /** The cache's rules, as {@code dev.optimizer.http.CacheMode}. */
  public enum CacheMode {
    /** A private cache: entries kept per identity; responses marked private may be stored. */
    PRIVATE,
    /** A shared cache: private and most authorized responses are not stored. */
    SHARED
  }

  /** The controller of each host's limit, as {@code dev.optimizer.http.LimitAlgorithm}. */
  public enum LimitAlgorithm {
    /** Follows the latency gradient. */
    GRADIENT,
    /** Backs off on drops (429, 503). */
    AIMD
  }

  /** Whether identical GETs in flight at once are joined. Default true. */
  private boolean coalescing = true;

  /**
   * The largest response body buffered (to cache or share it); a larger one is handed to the caller
   * as it arrives, unbuffered. Default 64MB, range [1KB, 1GB].
   */
  private DataSize maxResponseBodyBytes = DataSize.ofMegabytes(64);

  /** The RFC 9111 response cache. */
  private final Cache cache = new Cache();

  /** Backup requests for slow safe requests. */
  private final Hedging hedging = new Hedging();

  /** Retries of failed idempotent requests. */
  private final Retry retry = new Retry();

  /** The adaptive concurrency limit per host. */
  private final Limit limit = new Limit();

  /** The circuit breaker per host. */
  private final CircuitBreaker circuitBreaker = new CircuitBreaker();

  public boolean isCoalescing() {
    return coalescing;
  }

  public void setCoalescing(boolean coalescing) {
    this.coalescing = coalescing;
  }

  public DataSize getMaxResponseBodyBytes() {
    return maxResponseBodyBytes;
  }

  public void setMaxResponseBodyBytes(DataSize v) {
    this.maxResponseBodyBytes = Bounds.check(P + "max-response-body-bytes", v, 1024, 1L << 30);
  }

  public Cache getCache() {
    return cache;
  }

  public Hedging getHedging() {
    return hedging;
  }

  public Retry getRetry() {
    return retry;
  }

  public Limit getLimit() {
    return limit;
  }

  public CircuitBreaker getCircuitBreaker() {
    return circuitBreaker;
  }

  /** Rules between properties, checked when the HttpOptimizer is built. */
  void validate() {
    cache.remote.validate(cache.enabled);
    if (limit.min > limit.max) {
      throw new IllegalArgumentException(
          P
              + "limit.min must be at most "
              + P
              + "limit.max ("
              + limit.max
              + "), but was "
              + limit.min);
    }
    if (limit.initial != null && (limit.initial < limit.min || limit.initial > limit.max)) {
      throw new IllegalArgumentException(
          P
              + "limit.initial must be in ["
              + limit.min
              + ", "
              + limit.max
              + "] ("
              + P
              + "limit.min, "
              + P
              + "limit.max), but was "
              + limit.initial);
    }
    if (hedging.maxDelay.compareTo(hedging.minDelay) < 0) {
      throw new IllegalArgumentException(
          P
              + "hedging.max-delay must be at least "
              + P
              + "hedging.min-delay ("
              + Bounds.format(hedging.minDelay)
              + "), but was "
              + Bounds.format(hedging.maxDelay));
    }
    if (retry.maxDelay.compareTo(retry.baseDelay) < 0) {
      throw new IllegalArgumentException(
          P
              + "retry.max-delay must be at least "
              + P
              + "retry.base-delay ("
              + Bounds.format(retry.baseDelay)
              + "), but was "
              + Bounds.format(retry.maxDelay));
    }
  }

  /** {@code optimizer.http.cache.*}. */
  public static class Cache {
    /** Whether responses are cached (RFC 9111). Default true. */
    private boolean enabled = true;

    /**
     * PRIVATE (entries kept per identity; private responses stored) or SHARED (shared-cache rules:
     * private and most authorized responses not stored). Default PRIVATE.
     */
    private CacheMode mode = CacheMode.PRIVATE;

    /** The cache's bound, counting bodies and header fields. Default 64MB, range [1KB, 1TB]. */
    private DataSize maxBytes = DataSize.ofMegabytes(64);

    /** The Redis tier shared by the fleet (off while its uri is unset). */
    @NestedConfigurationProperty
    private final HttpCacheRemoteProperties remote = new HttpCacheRemoteProperties();

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public CacheMode getMode() {
      return mode;
    }

    public void setMode(CacheMode mode) {
      this.mode = Bounds.notNull(P + "cache.mode", mode);
    }

    public DataSize getMaxBytes() {
      return maxBytes;
    }

    public void setMaxBytes(DataSize v) {
      this.maxBytes = Bounds.check(P + "cache.max-bytes", v, 1024, 1L << 40);
    }

    public HttpCacheRemoteProperties getRemote() {
      return remote;
    }
  }

  /** {@code optimizer.http.hedging.*}. */
  public static class Hedging {
    /** Whether safe requests are hedged. Default true. */
    private boolean enabled = true;

    /** The percentile of recent latencies a hedge waits for. Default 95, range [50, 99.99]. */
    private double percentile = 95;

    /** The shortest hedge delay. Default 1ms, range [0, 1m]. */
    private Duration minDelay = Duration.ofMillis(1);

    /** The longest hedge delay. Default 10s, range [min-delay, 10m]. */
    private Duration maxDelay = Duration.ofSeconds(10);

    /** How many backups one request may get. Default 2, range [1, 5]. */
    private int maxHedges = 2;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public double getPercentile() {
      return percentile;
    }

    public void setPercentile(double v) {
      this.percentile = Bounds.check(P + "hedging.percentile", v, 50.0, 99.99);
    }

    public Duration getMinDelay() {
      return minDelay;
    }

    public void setMinDelay(Duration v) {
      this.minDelay =
          Bounds.check(P + "hedging.min-delay", v, Duration.ZERO, Duration.ofMinutes(1));
    }

    public Duration getMaxDelay() {
      return maxDelay;
    }

    public void setMaxDelay(Duration v) {
      this.maxDelay =
          Bounds.check(P + "hedging.max-delay", v, Duration.ZERO, Duration.ofMinutes(10));
    }

    public int getMaxHedges() {
      return maxHedges;
    }

    public void setMaxHedges(int v) {
      this.maxHedges = Bounds.check(P + "hedging.max-hedges", v, 1, 5);
    }
  }

  /** {@code optimizer.http.retry.*}. */
  public static class Retry {
    /** Attempts per request, the first included; 1 turns retries off. Default 3, range [1, 10]. */
    private int maxAttempts = 3;

    /**
     * Extra requests (hedges and retries together) allowed per request, over any 10 s. Default
     * 0.05, range [0, 1].
     */
    private double budgetRatio = 0.05;

    /**
     * The back-off before the first retry (doubled each time, fully jittered). Default 50ms, range
     * [1ms, 1m].
     */
    private Duration baseDelay = Duration.ofMillis(50);

    /** The longest back-off. Default 2s, range [base-delay, 10m]. */
    private Duration maxDelay = Duration.ofSeconds(2);

    public int getMaxAttempts() {
      return maxAttempts;
    }

    public void setMaxAttempts(int v) {
      this.maxAttempts = Bounds.check(P + "retry.max-attempts", v, 1, 10);
    }

    public double getBudgetRatio() {
      return budgetRatio;
    }

    public void setBudgetRatio(double v) {
      this.budgetRatio = Bounds.check(P + "retry.budget-ratio", v, 0.0, 1.0);
    }

    public Duration getBaseDelay() {
      return baseDelay;
    }

    public void setBaseDelay(Duration v) {
      this.baseDelay =
          Bounds.check(P + "retry.base-delay", v, Duration.ofMillis(1), Duration.ofMinutes(1));
    }

    public Duration getMaxDelay() {
      return maxDelay;
    }

    public void setMaxDelay(Duration v) {
      this.maxDelay =
          Bounds.check(P + "retry.max-delay", v, Duration.ofMillis(1), Duration.ofMinutes(10));
    }
  }

  /** {@code optimizer.http.limit.*}. */
  public static class Limit {
    /** Whether each host gets an adaptive concurrency limit. Default true. */
    private boolean enabled = true;

    /**
     * The controller moving each host's limit: GRADIENT (follows the latency gradient) or AIMD
     * (backs off on 429/503). Default GRADIENT.
     */
    private LimitAlgorithm algorithm = LimitAlgorithm.GRADIENT;

    /** Each host's first limit. Default 20 clamped into [min, max]; range [min, max]. */
    private Integer initial;

    /** The lowest limit. Default 4, range [1, 100000]. */
    private int min = 4;

    /** The highest limit. Default 1000, range [min, 100000]. */
    private int max = 1000;

    /** How long a request waits for room under its host's limit. Default 2s, range [0, 1h]. */
    private Duration queueTimeout = Duration.ofSeconds(2);

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public LimitAlgorithm getAlgorithm() {
      return algorithm;
    }

    public void setAlgorithm(LimitAlgorithm algorithm) {
      this.algorithm = Bounds.notNull(P + "limit.algorithm", algorithm);
    }

    public Integer getInitial() {
      return initial;
    }

    public void setInitial(Integer v) {
      this.initial = v == null ? null : Bounds.check(P + "limit.initial", v, 1, 100_000);
    }

    public int getMin() {
      return min;
    }

    public void setMin(int v) {
      this.min = Bounds.check(P + "limit.min", v, 1, 100_000);
    }

    public int getMax() {
      return max;
    }

    public void setMax(int v) {
      this.max = Bounds.check(P + "limit.max", v, 1, 100_000);
    }

    public Duration getQueueTimeout() {
      return queueTimeout;
    }

    public void setQueueTimeout(Duration v) {
      this.queueTimeout =
          Bounds.check(P + "limit.queue-timeout", v, Duration.ZERO, Duration.ofHours(1));
    }
  }

  /** {@code optimizer.http.circuit-breaker.*}. */
  public static class CircuitBreaker {
    /** Whether each host gets a circuit breaker. Default true. */
    private boolean enabled = true;

    /** The failure rate (percent) that opens a breaker. Default 50, range [1, 100]. */
    private double failureRate = 50;

    /** How long an open breaker refuses calls. Default 30s, range [1ms, 1h]. */
    private Duration openDuration = Duration.ofSeconds(30);

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public double getFailureRate() {
      return failureRate;
    }

    public void setFailureRate(double v) {
      this.failureRate = Bounds.check(P + "circuit-breaker.failure-rate", v, 1.0, 100.0);
    }

    public Duration getOpenDuration() {
      return openDuration;
    }

    public void setOpenDuration(Duration v) {
      this.openDuration =
          Bounds.check(
              P + "circuit-breaker.open-duration", v, Duration.ofMillis(1), Duration.ofHours(1));
    }
  }
}
