package dev.optimizer.db.cache;

import dev.optimizer.runtime.cache.redis.RedisTierSettings;

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
 *   <tr><td>uri</td><td>(required)</td><td>a {@code redis://} or {@code rediss://} URI naming a
 *       host</td></tr>
 *   <tr><td>keyPrefix</td><td>{@code optimizer:rc:}</td><td>1 to 200 characters</td></tr>
 *   <tr><td>commandTimeout</td><td>50 ms</td><td>[1 ms, 10 s]</td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe.
 */
public final class RemoteCacheSettings extends RedisTierSettings {
  private RemoteCacheSettings(Builder b) {
    super(b);
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

  /**
   * Builds {@link RemoteCacheSettings}; each setting is checked when given. {@code keyPrefix} and
   * {@code commandTimeout} are those of {@link RedisTierSettings.Builder}.
   */
  public static final class Builder extends RedisTierSettings.Builder<Builder> {
    private Builder(String uri) {
      super(uri, "optimizer:rc:");
    }

    /** Builds the settings. */
    public RemoteCacheSettings build() {
      return new RemoteCacheSettings(this);
    }
  }
}
