package dev.optimizer.http.internal.cache;

import dev.optimizer.http.RemoteCacheSettings;
import dev.optimizer.http.internal.HttpStats;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
 * a miss, counted in {@link HttpStats#remoteCorrupt}. The first connection attempt is made when the
 * tier is built; after a failure one named daemon thread retries every second. Lettuce re-makes
 * lost connections (and re-subscribes). Thread-safe.
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
  private final byte[] channel;
  private final long instance = new SecureRandom().nextLong();
  private final RedisClient client;
  private final ScheduledExecutorService connector;
  private final ThreadLocal<Boolean> applyingAnnouncement = new ThreadLocal<>();
  private volatile Consumer<String> listener = key -> {};
  private volatile StatefulRedisConnection<byte[], byte[]> connection;
  private volatile StatefulRedisPubSubConnection<byte[], byte[]> pubsub;
  private volatile boolean closed;

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
    this.channel = bytes(settings.keyPrefix() + "invalidations");
    RedisURI uri = RedisURI.create(settings.uri());
    uri.setTimeout(settings.commandTimeout());
    this.client = RedisClient.create(uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
            .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(1)).build())
            .build());
    this.connector =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "optimizer-http-redis-connect-" + name);
              t.setDaemon(true);
              return t;
            });
    // The first attempt on the building thread (bounded by the connect and command timeouts), so
    // that a cache built while Redis is up uses it from its first request; retries in background.
    connect();
  }

  private void connect() {
    if (closed) {
      return;
    }
    StatefulRedisPubSubConnection<byte[], byte[]> p = null;
    try {
      if (connection == null) {
        connection = client.connect(ByteArrayCodec.INSTANCE);
      }
      if (pubsub == null) {
        p = client.connectPubSub(ByteArrayCodec.INSTANCE);
        p.addListener(
            new RedisPubSubAdapter<byte[], byte[]>() {
              @Override
              public void message(byte[] from, byte[] message) {
                received(message);
              }
            });
        p.async().subscribe(channel).get(Math.max(timeoutMillis, 1000), TimeUnit.MILLISECONDS);
        pubsub = p;
        p = null;
      }
      if (closed) {
        close(); // closed while connecting: release what was just made
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.log(System.Logger.Level.DEBUG, () -> "connecting to Redis failed: " + e);
      if (p != null) {
        closeQuietly(p);
      }
      if (!closed) {
        try {
          connector.schedule(this::connect, 1, TimeUnit.SECONDS);
        } catch (RuntimeException rejected) {
          // closed meanwhile
        }
      }
    }
  }

  /** The connection, or null while there is none to use. */
  private StatefulRedisConnection<byte[], byte[]> connected() {
    StatefulRedisConnection<byte[], byte[]> c = connection;
    return closed || c == null || !c.isOpen() ? null : c;
  }

  @Override
  public CompletableFuture<CachedResource> get(String key) {
    StatefulRedisConnection<byte[], byte[]> c = connected();
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
    StatefulRedisConnection<byte[], byte[]> c = connected();
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
    StatefulRedisConnection<byte[], byte[]> c = connected();
    if (c == null) {
      return CompletableFuture.failedFuture(new IOException("not connected to Redis"));
    }
    return c.async().del(redisKey(key)).toCompletableFuture().thenApply(n -> null);
  }

  @Override
  public CompletableFuture<Void> invalidateAll() {
    StatefulRedisConnection<byte[], byte[]> c = connected();
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
    StatefulRedisConnection<byte[], byte[]> c = connected();
    if (c == null || keys.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> done;
    try {
      // Sent on the connection that sent the deletions: Redis answers a connection's commands in
      // order, so once the PUBLISH is answered the deletions before it are done.
      done =
          c.async()
              .publish(channel, Announcement.encode(instance, keys))
              .toCompletableFuture()
              .thenApply(n -> null);
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
    if (a.instance() == instance || closed) {
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

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // closing a connection that failed: nothing more to release
    }
  }

  /** Closes the connections and the client's threads. */
  @Override
  public void close() {
    closed = true;
    connector.shutdownNow();
    StatefulRedisPubSubConnection<byte[], byte[]> p = pubsub;
    if (p != null) {
      closeQuietly(p);
    }
    StatefulRedisConnection<byte[], byte[]> c = connection;
    if (c != null) {
      closeQuietly(c);
    }
    try {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    } catch (RuntimeException e) {
      // the client's threads are daemons; nothing else holds resources
    }
  }
}
