package dev.optimizer.http;

import dev.optimizer.runtime.cache.redis.RedisTierSettings;

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
 *   <tr><td>uri</td><td>(required)</td><td>a {@code redis://} or {@code rediss://} URI naming a
 *       host</td></tr>
 *   <tr><td>keyPrefix</td><td>{@code optimizer:http:}</td><td>1 to 200 characters</td></tr>
 *   <tr><td>commandTimeout</td><td>50 ms</td><td>[1 ms, 10 s]</td></tr>
 *   <tr><td>privateEntries</td><td>false</td><td></td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe.
 */
public final class RemoteCacheSettings extends RedisTierSettings {
  private final boolean privateEntries;

  private RemoteCacheSettings(Builder b) {
    super(b);
    this.privateEntries = b.privateEntries;
  }

  /**
   * Starts the settings for the Redis server at {@code uri}, such as {@code redis://host:6379}.
   *
   * @throws IllegalArgumentException if the URI is blank, not a {@code redis://}/{@code rediss://}
   *     URI, or names no host
   */
  public static Builder builder(String uri) {
    return new Builder(uri);
  }

  /** Whether per-identity (private) responses are shared through Redis too. */
  public boolean privateEntries() {
    return privateEntries;
  }

  @Override
  protected String moreToString() {
    return ", privateEntries=" + privateEntries;
  }

  /**
   * Builds {@link RemoteCacheSettings}; each setting is checked when given. {@code keyPrefix} and
   * {@code commandTimeout} are those of {@link RedisTierSettings.Builder}.
   */
  public static final class Builder extends RedisTierSettings.Builder<Builder> {
    private boolean privateEntries;

    private Builder(String uri) {
      super(uri, "optimizer:http:");
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
