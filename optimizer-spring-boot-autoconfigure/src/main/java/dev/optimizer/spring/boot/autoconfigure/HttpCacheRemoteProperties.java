package dev.optimizer.spring.boot.autoconfigure;

import java.time.Duration;

/**
 * {@code optimizer.http.cache.remote.*}: the Redis tier of the HTTP cache ({@code
 * dev.optimizer.http.RemoteCacheSettings}, same defaults and ranges), shared by every instance of a
 * fleet. Off while {@code uri} is unset; with it set, {@code io.lettuce:lettuce-core} must be on
 * the class path. Free of optimizer-http types, like {@link HttpProperties}.
 */
public class HttpCacheRemoteProperties {
  private static final String P = "optimizer.http.cache.remote.";

  /**
   * The Redis server shared by the fleet, a redis:// or rediss:// URI
   * (redis://user:password@host:6379/0); it may carry a password and is never logged or shown.
   * Default none: no Redis tier. Needs io.lettuce:lettuce-core on the class path.
   */
  private String uri;

  /**
   * The prefix of every Redis key and the invalidation channel; instances that share entries share
   * it. Default optimizer:http:, 1 to 200 characters.
   */
  private String keyPrefix = "optimizer:http:";

  /**
   * How long one Redis command may take before the cache goes on without it (a read then counts as
   * a miss). Default 50ms, range [1ms, 10s].
   */
  private Duration commandTimeout = Duration.ofMillis(50);

  /**
   * Whether the private cache's per-identity responses (requests with credentials, responses marked
   * private) go to Redis too, still served only to the same identity; no effect in mode SHARED.
   * Default false: only responses any client could be given leave the process.
   */
  private boolean privateEntries = false;

  public String getUri() {
    return uri;
  }

  /** Stored unchecked: it is checked when the HttpOptimizer is built (see {@link RedisUris}). */
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

  public boolean isPrivateEntries() {
    return privateEntries;
  }

  public void setPrivateEntries(boolean privateEntries) {
    this.privateEntries = privateEntries;
  }

  /** Whether a Redis tier was asked for. */
  boolean isConfigured() {
    return uri != null;
  }

  /** The URI's own check, when one is set (never echoing it). */
  void validate(boolean cacheEnabled) {
    if (uri == null) {
      return;
    }
    RedisUris.check(P + "uri", uri);
    if (!cacheEnabled) {
      throw new IllegalArgumentException(
          P + "uri needs the cache: optimizer.http.cache.enabled=false was given together with it");
    }
  }

  @Override
  public String toString() {
    return "HttpCacheRemoteProperties{uri="
        + (uri == null ? "none" : "(set, not shown)")
        + ", keyPrefix="
        + keyPrefix
        + ", commandTimeout="
        + commandTimeout
        + ", privateEntries="
        + privateEntries
        + "}";
  }
}
