package dev.optimizer.http.internal.cache;

import dev.optimizer.http.RemoteCacheSettings;
import dev.optimizer.http.internal.HttpStats;
import dev.optimizer.runtime.cache.redis.RedisLink;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The HTTP cache's Redis tier (Lettuce): one entry per URI holding the variants any reader may use,
 * with a Redis TTL no longer than the longest of their remaining freshness plus stale window, and a
 * pub/sub channel over which instances announce invalidations (RFC 9111 §4.4).
 *
 * <p>Keys: {@code keyPrefix}, {@code s:} or {@code p:} for the cache mode (the modes judge
 * responses differently, so they never read each other's entries), then the SHA-256 of the URI.
 * What leaves the process is filtered when written and again when read: by default only anonymous
 * variants (no credentials, not {@code private}); all of them with {@code privateEntries}, still
 * matched to the exact identity by {@link StoredResponse#matches}. A variant whose remaining use is
 * over by the reader's clock is dropped when read.
 *
 * <p>Faults: while not connected every read fails at once (counted by the cache as an error and
 * answered as a miss); Lettuce's command timeout bounds every command; bytes that do not decode are
 * a miss, counted in {@link HttpStats#remoteCorrupt}. The connections are the runtime's {@link
 * RedisLink}'s: the first attempt is made when the tier is built; after a failure one named daemon
 * thread retries every second. Lettuce re-makes lost connections (and re-subscribes). Thread-safe.
 */
final class RedisTier implements SharedTier {
  private static final System.Logger LOG = System.getLogger(RedisTier.class.getName());

  private final ResourceCodec codec;
  private final boolean shared;
  private final boolean privateEntries;
  private final Clock clock;
  private final HttpStats stats;
  private final long timeoutMillis;
  private final String keyPrefix;
  private final RedisLink link;
  private final ThreadLocal<Boolean> applyingAnnouncement = new ThreadLocal<>();
  private volatile Consumer<String> listener = key -> {};

  RedisTier(
      RemoteCacheSettings settings,
      boolean shared,
      long heuristicCapMillis,
      Clock clock,
      HttpStats stats,
      String name) {
    this.codec = new ResourceCodec(shared, heuristicCapMillis);
    this.shared = shared;
    this.privateEntries = settings.privateEntries();
    this.clock = clock;
    this.stats = stats;
    this.timeoutMillis = settings.commandTimeout().toMillis();
    this.keyPrefix = settings.keyPrefix() + (shared ? "s:" : "p:");
    // The first attempt on the building thread (bounded by the connect and command timeouts), so
    // that a cache built while Redis is up uses it from its first request; retries in background.
    this.link =
        RedisLink.open(
            settings,
            "optimizer-http-redis-connect-" + name,
            RedisLink.FirstAttempt.ON_CALLER,
            this::received);
  }

  @Override
  public CompletableFuture<CachedResource> get(String key) {
    StatefulRedisConnection<byte[], byte[]> c = link.connection();
    if (c == null) {
      return CompletableFuture.failedFuture(new IOException("not connected to Redis"));
    }
    return c.async().get(redisKey(key)).toCompletableFuture().thenApply(b -> decode(key, b));
  }

  private CachedResource decode(String key, byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    List<StoredResponse> variants;
    try {
      variants = codec.decode(key, bytes);
    } catch (IOException e) {
      stats.remoteCorrupt.increment();
      LOG.log(System.Logger.Level.DEBUG, () -> "unreadable HTTP cache entry in Redis: " + e);
      return null;
    }
    return CachedResource.ofAll(usable(variants, clock.millis()));
  }

  /** The variants that may be shared through Redis and may still be used at {@code now}. */
  private List<StoredResponse> usable(List<StoredResponse> variants, long now) {
    List<StoredResponse> kept = new ArrayList<>(variants.size());
    for (StoredResponse v : variants) {
      if ((privateEntries || v.anonymous()) && v.remainingUseMillis(now, shared) > 0) {
        kept.add(v);
      }
    }
    return kept;
  }

  @Override
  public CompletableFuture<Void> put(String key, CachedResource value, Duration ttl) {
    long now = clock.millis();
    List<StoredResponse> variants = usable(value.variants, now);
    if (variants.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    long ttlMillis = 0;
    for (StoredResponse v : variants) {
      ttlMillis = Math.max(ttlMillis, v.remainingUseMillis(now, shared));
    }
    ttlMillis = Math.min(ttlMillis, ttl.toMillis());
    if (ttlMillis <= 0) {
      return CompletableFuture.completedFuture(null);
    }
    StatefulRedisConnection<byte[], byte[]> c = link.connection();
    if (c == null) {
      return CompletableFuture.failedFuture(new IOException("not connected to Redis"));
    }
    return c.async()
        .set(redisKey(key), codec.encode(key, variants), SetArgs.Builder.px(ttlMillis))
        .toCompletableFuture()
        .thenApply(ok -> null);
  }

  @Override
  public CompletableFuture<Void> invalidate(String key) {
    if (Boolean.TRUE.equals(applyingAnnouncement.get())) {
      // Another instance deleted the key before announcing it; deleting it again could only
      // remove an entry stored since.
      return CompletableFuture.completedFuture(null);
    }
    StatefulRedisConnection<byte[], byte[]> c = link.connection();
    if (c == null) {
      return CompletableFuture.failedFuture(new IOException("not connected to Redis"));
    }
    return c.async().del(redisKey(key)).toCompletableFuture().thenApply(n -> null);
  }

  @Override
  public CompletableFuture<Void> invalidateAll() {
    StatefulRedisConnection<byte[], byte[]> c = link.connection();
    if (c == null) {
      return CompletableFuture.failedFuture(new IOException("not connected to Redis"));
    }
    return deleteFrom(c, ScanCursor.INITIAL, ScanArgs.Builder.matches(keyPrefix + "*").limit(500));
  }

  private CompletableFuture<Void> deleteFrom(
      StatefulRedisConnection<byte[], byte[]> c, ScanCursor cursor, ScanArgs args) {
    return c.async()
        .scan(cursor, args)
        .toCompletableFuture()
        .thenCompose(
            (KeyScanCursor<byte[]> page) -> {
              CompletableFuture<?> deleted =
                  page.getKeys().isEmpty()
                      ? CompletableFuture.completedFuture(null)
                      : c.async().del(page.getKeys().toArray(new byte[0][])).toCompletableFuture();
              return page.isFinished()
                  ? deleted.thenApply(n -> null)
                  : deleted.thenCompose(n -> deleteFrom(c, page, args));
            });
  }

  @Override
  public CompletableFuture<Void> announce(Collection<String> keys) {
    if (link.connection() == null || keys.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> done;
    try {
      // Sent on the connection that sent the deletions: Redis answers a connection's commands in
      // order, so once the PUBLISH is answered the deletions before it are done.
      done = link.publish(Announcement.encode(keys)).toCompletableFuture().thenApply(n -> null);
    } catch (RuntimeException e) {
      done = CompletableFuture.failedFuture(e);
    }
    return done.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
        .handle(
            (ok, error) -> {
              if (error != null) {
                stats.remoteAnnouncementsFailed.increment();
              }
              return null;
            });
  }

  @Override
  public void onInvalidation(Consumer<String> listener) {
    this.listener = listener;
  }

  private void received(byte[] message) {
    Announcement a;
    try {
      a = Announcement.decode(message);
    } catch (IOException e) {
      stats.remoteCorrupt.increment();
      return;
    }
    applyingAnnouncement.set(Boolean.TRUE);
    try {
      for (String key : a.keys()) {
        listener.accept(key);
        stats.remoteInvalidations.increment();
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "applying an HTTP cache invalidation failed", e);
    } finally {
      applyingAnnouncement.remove();
    }
  }

  private byte[] redisKey(String key) {
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256").digest(bytes(key));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
    StringBuilder s = new StringBuilder(keyPrefix.length() + 64).append(keyPrefix);
    for (byte b : digest) {
      s.append(Character.forDigit((b >> 4) & 15, 16)).append(Character.forDigit(b & 15, 16));
    }
    return bytes(s.toString());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Closes the connections and the client's threads. */
  @Override
  public void close() {
    link.close();
  }
}
