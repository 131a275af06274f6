package dev.optimizer.http;

import dev.optimizer.api.internal.Checks;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * The optional remote tier of the HTTP cache: a Redis server (reached through Lettuce, which the
 * application brings as a dependency) that every instance of a fleet shares, so that a response one
 * instance stored answers the others without a request to the origin.
 *
 * <pre>{@code
 * HttpOptimizer.builder(optimizer)
 *     .cacheRemote(RemoteCacheSettings.builder("redis://cache:6379").build())
 *     .build();
 * }</pre>
 *
 * <p>What goes to Redis: stored responses with what RFC 9111 needs to judge them on another
 * instance (status, fields, body, request and response times, the {@code Vary} selecting values),
 * each kept no longer than its freshness lifetime plus its stale-while-revalidate or stale-if-error
 * window. Keys are {@code keyPrefix}, the cache mode and a SHA-256 of the URI (no URI, and so no
 * query string, in a Redis key). By default only responses any client could be given go there:
 * responses to requests without credentials and without {@code Cache-Control: private}. {@link
 * Builder#privateEntries(boolean)} also shares the private cache's per-identity responses, still
 * served only to the same identity (a SHA-256 of its credentials).
 *
 * <p>An unsafe request that succeeds deletes its targets (RFC 9111 §4.4) from Redis before its
 * response is returned (waiting at most {@code commandTimeout}) and tells the other instances over
 * pub/sub to drop them from their in-process tiers.
 *
 * <p>Faults: every Redis read is abandoned after {@code commandTimeout} and counts as a miss; while
 * Redis cannot be reached the cache works in-process only; an entry that cannot be read (corrupt,
 * or written by another version) is a miss. None of this fails a request.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th></tr>
 *   <tr><td>uri</td><td>(required)</td><td>a {@code redis://} or {@code rediss://} URI</td></tr>
 *   <tr><td>keyPrefix</td><td>{@code optimizer:http:}</td><td>1 to 200 characters</td></tr>
 *   <tr><td>commandTimeout</td><td>50 ms</td><td>[1 ms, 10 s]</td></tr>
 *   <tr><td>privateEntries</td><td>false</td><td></td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe.
 */
public final class RemoteCacheSettings {
  private final String uri;
  private final String keyPrefix;
  private final Duration commandTimeout;
  private final boolean privateEntries;

  private RemoteCacheSettings(Builder b) {
    this.uri = b.uri;
    this.keyPrefix = b.keyPrefix;
    this.commandTimeout = b.commandTimeout;
    this.privateEntries = b.privateEntries;
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

  /** Whether per-identity (private) responses are shared through Redis too. */
  public boolean privateEntries() {
    return privateEntries;
  }

  @Override
  public String toString() {
    return "RemoteCacheSettings{keyPrefix="
        + keyPrefix
        + ", commandTimeout="
        + commandTimeout
        + ", privateEntries="
        + privateEntries
        + "}"; // never the URI: it may carry a password
  }

  /** Builds {@link RemoteCacheSettings}; each setting is checked when given. */
  public static final class Builder {
    private final String uri;
    private String keyPrefix = "optimizer:http:";
    private Duration commandTimeout = Duration.ofMillis(50);
    private boolean privateEntries;

    private Builder(String uri) {
      String u = Checks.notBlank("remote uri", uri).trim();
      String scheme;
      String host;
      try {
        URI parsed = new URI(u);
        scheme = parsed.getScheme();
        host = parsed.getHost();
      } catch (URISyntaxException e) {
        scheme = null;
        host = null;
      }
      if (scheme == null || !(scheme.equals("redis") || scheme.equals("rediss"))) {
        throw new IllegalArgumentException(
            "remote uri must be a redis:// or rediss:// URI, but was '" + redact(u) + "'");
      }
      if (host == null || host.isBlank()) {
        // Caught here: the Redis client would refuse it only once the HttpOptimizer is half built.
        throw new IllegalArgumentException(
            "remote uri must name a host (redis://host:port), but was '" + redact(u) + "'");
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

    /**
     * Whether the private cache's per-identity responses (requests with credentials, responses
     * marked {@code private}) go to Redis too; default false, so that only responses any client
     * could be given leave the process. Turn it on when the Redis server is trusted with those
     * responses (typically: the application calls the origin with one service identity). Entries
     * are still served only to the identity they were stored for. Has no effect in {@link
     * CacheMode#SHARED}, which never stores such responses.
     */
    public Builder privateEntries(boolean enabled) {
      this.privateEntries = enabled;
      return this;
    }

    /** Builds the settings. */
    public RemoteCacheSettings build() {
      return new RemoteCacheSettings(this);
    }
  }
}
