package dev.optimizer.spring.boot.autoconfigure;

import java.time.Duration;

/**
 * The properties every Redis tier shares ({@code uri}, {@code key-prefix}, {@code
 * command-timeout}), under the prefix of the cache it extends: {@link HttpCacheRemoteProperties}
 * ({@code optimizer.http.cache.remote.*}) and {@link ResultCacheRemoteProperties} ({@code
 * optimizer.db.result-cache.remote.*}). Off while {@code uri} is unset.
 *
 * <p>The metadata descriptions and the key prefix's default differ per tier; they are in {@code
 * META-INF/additional-spring-configuration-metadata.json}, because the configuration processor
 * takes an inherited property's description from this class's one field, and sees no default set in
 * a constructor.
 */
public abstract class RedisTierProperties {
  private final String prefix;
  private final String withoutCache;

  /**
   * The Redis server shared by the fleet, a redis:// or rediss:// URI; never logged or shown.
   * Default none: no Redis tier.
   */
  private String uri;

  /** The prefix of every Redis key and the invalidation channel, 1 to 200 characters. */
  private String keyPrefix;

  /**
   * How long one Redis command may take before the cache goes on without it. Default 50ms, range
   * [1ms, 10s].
   */
  private Duration commandTimeout = Duration.ofMillis(50);

  /**
   * @param prefix the tier's property prefix, ending in a dot (it names the property in messages)
   * @param defaultKeyPrefix the key prefix used while {@code key-prefix} is unset
   * @param withoutCache the message when {@code uri} is set but its cache is off, naming both
   */
  protected RedisTierProperties(String prefix, String defaultKeyPrefix, String withoutCache) {
    this.prefix = prefix;
    this.keyPrefix = defaultKeyPrefix;
    this.withoutCache = withoutCache;
  }

  public String getUri() {
    return uri;
  }

  /**
   * Stored unchecked: it is checked when the module bean is built (see {@link RedisUris}), so that
   * a bind failure never prints it.
   */
  public void setUri(String uri) {
    this.uri = uri == null || uri.isBlank() ? null : uri.trim();
  }

  public String getKeyPrefix() {
    return keyPrefix;
  }

  public void setKeyPrefix(String keyPrefix) {
    this.keyPrefix = RedisUris.keyPrefix(prefix + "key-prefix", keyPrefix);
  }

  public Duration getCommandTimeout() {
    return commandTimeout;
  }

  public void setCommandTimeout(Duration v) {
    this.commandTimeout =
        Bounds.check(prefix + "command-timeout", v, Duration.ofMillis(1), Duration.ofSeconds(10));
  }

  /** Whether a Redis tier was asked for. */
  boolean isConfigured() {
    return uri != null;
  }

  /** The URI's own check, when one is set (never echoing it), and that its cache is on. */
  void validate(boolean cacheEnabled) {
    if (uri == null) {
      return;
    }
    RedisUris.check(prefix + "uri", uri);
    if (!cacheEnabled) {
      throw new IllegalArgumentException(withoutCache);
    }
  }

  /** A subclass's own settings for {@link #toString()}, each as {@code ", name=value"}. */
  String moreToString() {
    return "";
  }

  /** Every setting but the URI, which may hold a password: only whether it is set. */
  @Override
  public String toString() {
    return getClass().getSimpleName()
        + "{uri="
        + (uri == null ? "none" : "(set, not shown)")
        + ", keyPrefix="
        + keyPrefix
        + ", commandTimeout="
        + commandTimeout
        + moreToString()
        + "}";
  }
}
