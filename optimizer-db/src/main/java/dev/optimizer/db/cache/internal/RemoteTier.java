package dev.optimizer.db.cache.internal;

import dev.optimizer.db.cache.RemoteCacheSettings;
import dev.optimizer.runtime.cache.redis.RedisLink;
import io.lettuce.core.KeyValue;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The result cache's Redis tier, shared by a fleet: entries keyed by a digest of the cache key,
 * per-table version counters that every writer increments after its commit, and a pub/sub channel
 * over which writers tell the other instances to drop their in-process entries.
 *
 * <p>Freshness: an entry holds the Redis versions of its tables (and of "everything") read before
 * its query ran; {@link #lookup} reads the entry and the current versions in one {@code MGET}, and
 * the caller serves the entry only when they are equal. A writer increments the versions before its
 * commit returns to the application (bounded by the command timeout). When an increment fails, this
 * instance stops using Redis until it has incremented "everything" (retried on each lookup).
 *
 * <p>Every command is bounded by the command timeout; while Redis cannot be reached, {@link
 * #lookup} answers null at once. The connections are the runtime's {@link RedisLink}'s (made in the
 * background, retried every second, re-made by Lettuce); each (re)subscription, and each loss of
 * the channel, tells the {@link Listener} that invalidations may have been missed. Thread-safe.
 */
final class RemoteTier implements AutoCloseable {
  /** What the tier tells the in-process cache. */
  interface Listener {
    /** Another instance committed these writes. */
    void invalidated(Collection<String> tables, Collection<ResultCache.KeyWrite> keys, boolean all);

    /** The invalidation channel was lost or re-made: messages may have been missed. */
    void mayHaveMissed();
  }

  /**
   * What Redis holds for a key: the entry (null when none) and the current versions of "everything"
   * and of the tables, in the order asked.
   */
  record Lookup(byte[] entry, long[] versions) {}

  private final long ttlMillis;
  private final long timeoutNanos;
  private final Listener listener;
  private final String prefix;
  private final byte[] everything;
  private final RedisLink link;

  /** Writes whose increment did not reach Redis, and how many of them "everything" covers. */
  private final AtomicLong failedBumps = new AtomicLong();

  private final AtomicLong coveredBumps = new AtomicLong();

  /** Redis commands that failed or timed out. */
  final LongAdder errors = new LongAdder();

  RemoteTier(RemoteCacheSettings settings, Duration ttl, Listener listener, String name) {
    this.ttlMillis = Math.max(1, ttl.toMillis());
    this.timeoutNanos = settings.commandTimeout().toNanos();
    this.listener = listener;
    this.prefix = settings.keyPrefix();
    this.everything = bytes(prefix + "v*");
    this.link =
        RedisLink.open(
            settings,
            "optimizer-redis-connect " + name,
            RedisLink.FirstAttempt.IN_BACKGROUND,
            new RedisLink.Listener() {
              @Override
              public void received(byte[] payload) {
                onMessage(payload);
              }

              @Override
              public void mayHaveMissed() {
                listener.mayHaveMissed();
              }

              @Override
              public void disconnected() {
                // Redis may come back without our writes' increments (a restart, a failover):
                // before using it again, mark every entry it holds stale.
                failedBumps.incrementAndGet();
              }

              @Override
              public void connectFailed(Exception e) {
                errors.increment();
              }
            });
  }

  private void onMessage(byte[] message) {
    try {
      Invalidation m = Invalidation.decode(message);
      listener.invalidated(m.tables(), m.keys(), m.all());
    } catch (java.io.IOException | RuntimeException e) {
      errors.increment();
      listener.invalidated(List.of(), List.of(), true); // unreadable: assume anything changed
    }
  }

  /** Whether the tier may be used now; retries a pending "everything" increment first. */
  private StatefulRedisConnection<byte[], byte[]> usable() {
    StatefulRedisConnection<byte[], byte[]> c = link.connection();
    if (c == null) {
      return null;
    }
    long failed = failedBumps.get();
    if (failed > coveredBumps.get()) {
      try {
        await(c.async().incr(everything));
        await(link.publish(Invalidation.encode(List.of(), List.of(), true)));
      } catch (Exception e) {
        errors.increment();
        return null;
      }
      coveredBumps.accumulateAndGet(failed, Math::max);
    }
    return c;
  }

  /**
   * The entry named by {@code digest} and the current versions of {@code tables}, read in one
   * command; null when Redis cannot answer within the timeout.
   */
  Lookup lookup(byte[] digest, String[] tables) {
    StatefulRedisConnection<byte[], byte[]> c = usable();
    if (c == null) {
      return null;
    }
    byte[][] keys = new byte[tables.length + 2][];
    keys[0] = entryKey(digest);
    keys[1] = everything;
    for (int i = 0; i < tables.length; i++) {
      keys[i + 2] = versionKey(tables[i]);
    }
    try {
      List<KeyValue<byte[], byte[]>> r = await(c.async().mget(keys));
      long[] versions = new long[tables.length + 1];
      for (int i = 0; i < versions.length; i++) {
        KeyValue<byte[], byte[]> kv = r.get(i + 1);
        versions[i] =
            kv.hasValue()
                ? Long.parseLong(new String(kv.getValue(), StandardCharsets.US_ASCII))
                : 0;
      }
      return new Lookup(r.get(0).hasValue() ? r.get(0).getValue() : null, versions);
    } catch (Exception e) {
      errors.increment();
      return null;
    }
  }

  /** Stores an encoded entry with the cache's time to live; does not wait for Redis. */
  void store(byte[] digest, byte[] encoded) {
    StatefulRedisConnection<byte[], byte[]> c = link.connection();
    if (c == null) {
      return;
    }
    try {
      c.async()
          .set(entryKey(digest), encoded, SetArgs.Builder.px(ttlMillis))
          .whenComplete(
              (ok, error) -> {
                if (error != null) {
                  errors.increment();
                }
              });
    } catch (RuntimeException e) {
      errors.increment();
    }
  }

  /**
   * Increments the versions of the written tables (or of "everything") and tells the other
   * instances, waiting at most the command timeout. Never throws; a failure makes this instance
   * stop using Redis until "everything" is incremented.
   */
  void invalidate(Collection<String> tables, Collection<ResultCache.KeyWrite> keys, boolean all) {
    if (link.closed()) {
      return;
    }
    StatefulRedisConnection<byte[], byte[]> c = link.connection();
    if (c == null) {
      failedBumps.incrementAndGet();
      errors.increment();
      return;
    }
    try {
      TreeSet<String> names = new TreeSet<>(tables);
      for (ResultCache.KeyWrite k : keys) {
        names.add(k.table());
      }
      List<Future<?>> sent = new ArrayList<>();
      if (all) {
        sent.add(c.async().incr(everything));
      } else {
        for (String t : names) {
          sent.add(c.async().incr(versionKey(t)));
        }
      }
      // On the connection of the increments: once the PUBLISH is answered, they are done too.
      sent.add(link.publish(Invalidation.encode(tables, keys, all)));
      long deadline = System.nanoTime() + timeoutNanos;
      for (Future<?> f : sent) {
        f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failedBumps.incrementAndGet();
      errors.increment();
    } catch (Exception e) {
      failedBumps.incrementAndGet();
      errors.increment();
    }
  }

  private <T> T await(Future<T> f) throws Exception {
    try {
      return f.get(timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw e;
    } catch (TimeoutException e) {
      f.cancel(false);
      throw e;
    }
  }

  private byte[] entryKey(byte[] digest) {
    StringBuilder s =
        new StringBuilder(prefix.length() + 2 + 2 * digest.length).append(prefix).append("e:");
    for (byte b : digest) {
      s.append(Character.forDigit((b >> 4) & 15, 16)).append(Character.forDigit(b & 15, 16));
    }
    return bytes(s.toString());
  }

  private byte[] versionKey(String table) {
    return bytes(prefix + "v:" + table);
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
