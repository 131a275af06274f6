package dev.optimizer.db.cache;

import dev.optimizer.api.internal.Checks;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * The optional remote tier of the result cache: a Redis server (reached through Lettuce, which the
 * application brings as a dependency) that every instance of a fleet shares, and over which they
 * tell each other about their writes.
 *
 * <pre>{@code
 * ResultCacheSettings.builder()
 *     .cacheTables("products")
 *     .remote(RemoteCacheSettings.builder("redis://cache:6379").build())
 *     .build();
 * }</pre>
 *
 * <p>What it guarantees: a result is served from Redis only while the Redis-held versions of every
 * table it read equal the versions it was loaded under, and a writing instance increments those
 * versions after its commit returned and before the commit returns to the application. So a result
 * made stale by a committed write of any instance is never served from Redis once that write's
 * increment reached Redis. Each instance's in-process tier drops other instances' writes when their
 * invalidation message (pub/sub) arrives; while the message is on its way, or while Redis cannot be
 * reached, other instances' writes are bounded by {@code timeToLive}, as for writers outside the
 * application. Each instance's own writes are never served stale, with or without Redis.
 *
 * <p>When Redis is down or slow, every Redis command is abandoned after {@code commandTimeout} and
 * the cache works in-process only; nothing is served from Redis unless its versions could be read
 * in the same command. A write whose increment could not reach Redis stops this instance from using
 * Redis until it has marked every Redis-held result stale.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th></tr>
 *   <tr><td>uri</td><td>(required)</td><td>a {@code redis://} or {@code rediss://} URI</td></tr>
 *   <tr><td>keyPrefix</td><td>{@code optimizer:rc:}</td><td>1 to 200 characters</td></tr>
 *   <tr><td>commandTimeout</td><td>50 ms</td><td>[1 ms, 10 s]</td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe.
 */
public final class RemoteCacheSettings {
  private final String uri;
  private final String keyPrefix;
  private final Duration commandTimeout;

  private RemoteCacheSettings(Builder b) {
    this.uri = b.uri;
    this.keyPrefix = b.keyPrefix;
    this.commandTimeout = b.commandTimeout;
  }

  /**
   * Starts the settings for the Redis server at {@code uri}, such as {@code redis://host:6379}.
   *
   * @throws IllegalArgumentException if the URI is blank or not a {@code redis://}/{@code
   *     rediss://} URI
   */
  public static Builder builder(String uri) {
    return new Builder(uri);
  }

  /** The Redis server's URI (it may hold a password: never logged). */
  public String uri() {
    return uri;
  }

  /** The prefix of every Redis key and channel the cache uses; fleets sharing data share it. */
  public String keyPrefix() {
    return keyPrefix;
  }

  /** How long one Redis command may take before the cache goes on without it. */
  public Duration commandTimeout() {
    return commandTimeout;
  }

  @Override
  public String toString() {
    return "RemoteCacheSettings{keyPrefix="
        + keyPrefix
        + ", commandTimeout="
        + commandTimeout
        + "}"; // never the URI: it may carry a password
  }

  /** Builds {@link RemoteCacheSettings}; each setting is checked when given. */
  public static final class Builder {
    private final String uri;
    private String keyPrefix = "optimizer:rc:";
    private Duration commandTimeout = Duration.ofMillis(50);

    private Builder(String uri) {
      String u = Checks.notBlank("remote uri", uri).trim();
      String scheme;
      try {
        scheme = new URI(u).getScheme();
      } catch (URISyntaxException e) {
        scheme = null;
      }
      if (scheme == null || !(scheme.equals("redis") || scheme.equals("rediss"))) {
        throw new IllegalArgumentException(
            "remote uri must be a redis:// or rediss:// URI, but was '" + redact(u) + "'");
      }
      this.uri = u;
    }

    private static String redact(String u) {
      int at = u.lastIndexOf('@');
      int scheme = u.indexOf("://");
      return at > 0 && scheme >= 0 && at > scheme
          ? u.substring(0, scheme + 3) + "***" + u.substring(at)
          : u;
    }

    /** The prefix of the cache's Redis keys and channel, 1 to 200 characters. */
    public Builder keyPrefix(String prefix) {
      String p = Checks.notBlank("keyPrefix", prefix);
      Checks.inRange("keyPrefix length", p.length(), 1, 200);
      this.keyPrefix = p;
      return this;
    }

    /** The limit of one Redis command, in [1 ms, 10 s]; default 50 ms. */
    public Builder commandTimeout(Duration timeout) {
      this.commandTimeout =
          Checks.inRange("commandTimeout", timeout, Duration.ofMillis(1), Duration.ofSeconds(10));
      return this;
    }

    /** Builds the settings. */
    public RemoteCacheSettings build() {
      return new RemoteCacheSettings(this);
    }
  }
}
