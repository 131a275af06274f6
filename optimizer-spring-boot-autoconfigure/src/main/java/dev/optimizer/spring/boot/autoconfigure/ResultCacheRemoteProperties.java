package dev.optimizer.spring.boot.autoconfigure;

import java.time.Duration;

/**
 * {@code optimizer.db.result-cache.remote.*}: the Redis tier of the query result cache ({@code
 * dev.optimizer.db.cache.RemoteCacheSettings}, same defaults and ranges), shared by every instance
 * of a fleet, which also tell each other about their writes over it. Off while {@code uri} is
 * unset; with it set, {@code io.lettuce:lettuce-core} must be on the class path and {@code
 * optimizer.db.result-cache.enabled} true.
 */
public class ResultCacheRemoteProperties {
  private static final String P = "optimizer.db.result-cache.remote.";

  /**
   * The Redis server shared by the fleet, a redis:// or rediss:// URI
   * (redis://user:password@host:6379/0); it may carry a password and is never logged or shown.
   * Default none: no Redis tier. Needs io.lettuce:lettuce-core on the class path and
   * optimizer.db.result-cache.enabled=true.
   */
  private String uri;

  /**
   * The prefix of every Redis key and the invalidation channel; instances that share results share
   * it. Default optimizer:rc:, 1 to 200 characters.
   */
  private String keyPrefix = "optimizer:rc:";

  /**
   * How long one Redis command may take before the cache goes on without it (in-process and
   * database only). Default 50ms, range [1ms, 10s].
   */
  private Duration commandTimeout = Duration.ofMillis(50);

  public String getUri() {
    return uri;
  }

  /** Stored unchecked: it is checked when the DbOptimizer is built (see {@link RedisUris}). */
  public void setUri(String uri) {
    this.uri = uri == null || uri.isBlank() ? null : uri.trim();
  }

  public String getKeyPrefix() {
    return keyPrefix;
  }

  public void setKeyPrefix(String keyPrefix) {
    this.keyPrefix = RedisUris.keyPrefix(P + "key-prefix", keyPrefix);
  }

  public Duration getCommandTimeout() {
    return commandTimeout;
  }

  public void setCommandTimeout(Duration v) {
    this.commandTimeout =
        Bounds.check(P + "command-timeout", v, Duration.ofMillis(1), Duration.ofSeconds(10));
  }

  /** Whether a Redis tier was asked for. */
  boolean isConfigured() {
    return uri != null;
  }

  void validate(boolean cacheEnabled) {
    if (uri == null) {
      return;
    }
    RedisUris.check(P + "uri", uri);
    if (!cacheEnabled) {
      throw new IllegalArgumentException(
          P
              + "uri needs the result cache: set optimizer.db.result-cache.enabled=true (with a"
              + " rule), or remove "
              + P
              + "uri");
    }
  }

  @Override
  public String toString() {
    return "ResultCacheRemoteProperties{uri="
        + (uri == null ? "none" : "(set, not shown)")
        + ", keyPrefix="
        + keyPrefix
        + ", commandTimeout="
        + commandTimeout
        + "}";
  }
}
