package dev.optimizer.db.cache.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.Supplier;

/**
 * One load of a missing result, run by the first caller (the {@code TieredCache} makes the others
 * wait for it): executes the query, reads the rows into a {@link CachedResult} and hands the cache
 * the result to store — unless it is too large, holds a value the cache does not keep, or a write
 * committed while it was read. The caller itself always gets its own rows ({@link #own}), cached or
 * not.
 *
 * <p>With a remote tier, Redis is asked first: an entry whose Redis versions are still current is
 * the answer (and is kept in-process under the local versions seen before the lookup); otherwise
 * the database's rows are also stored in Redis, under the Redis versions read before the query.
 */
final class CacheLoad {
  private final ResultCache cache;
  private final long fingerprint;
  private final Supplier<long[]> now;
  private final long[] seen;
  private final SqlCall call;
  private final Remote remote;
  private final int maxEntryBytes;

  /** Where a result lives in Redis: the key's digest and the tables read, sorted. */
  record Remote(byte[] digest, String[] tables) {}

  /**
   * Whether the driver's result set stays open, read to its end, until the caller closes the cached
   * one: its statement is to close on completion ({@code closeOnCompletion()}), which closing the
   * driver's result set at once would do while the caller still reads the rows.
   */
  boolean keepDriverOpen;

  /** Whether this caller ran the load (and so must answer with {@link #own} or {@link #error}). */
  boolean leader;

  /** The leader's answer: a cached result set, or the driver's. */
  Object own;

  /** What the driver threw to the leader. */
  Throwable error;

  CacheLoad(
      ResultCache cache,
      long fingerprint,
      Supplier<long[]> now,
      long[] seen,
      SqlCall call,
      Remote remote,
      int maxEntryBytes) {
    this.cache = cache;
    this.maxEntryBytes = maxEntryBytes;
    this.remote = remote;
    this.fingerprint = fingerprint;
    this.now = now;
    this.seen = seen;
    this.call = call;
  }

  /** Runs the load; returns what to store, or null. Never throws. */
  CachedResult run() {
    leader = true;
    RemoteTier.Lookup found =
        remote == null ? null : cache.remote.lookup(remote.digest(), remote.tables());
    if (found != null && found.entry() != null) {
      CachedResult hit = remoteHit(found);
      if (hit != null) {
        return hit;
      }
    }
    ResultSet rs;
    try {
      rs = (ResultSet) call.call();
    } catch (Throwable t) {
      error = t;
      return null;
    }
    try {
      if (rs == null || !CachedResult.keepable(rs.getMetaData())) {
        cache.markUnkeepable(fingerprint);
        cache.notStored.increment();
        own = rs;
        return null;
      }
      CachedResult.Read read = CachedResult.read(rs, seen, maxEntryBytes);
      if (read.complete() == null) {
        cache.notStored.increment();
        own = CachedResultSet.openWithRest(read.prefix(), read.rest(), read.restOnRow());
        return null;
      }
      if (keepDriverOpen) {
        own = CachedResultSet.openClosing(read.complete(), rs);
      } else {
        rs.close();
        own = CachedResultSet.open(read.complete());
      }
      if (!read.complete().fresh(now.get())) {
        cache.notStored.increment(); // a write committed while we read
        return null;
      }
      cache.stores.increment();
      if (found != null) {
        byte[] encoded = ResultCodec.encode(found.versions(), read.complete());
        if (encoded != null) {
          cache.remote.store(remote.digest(), encoded);
        }
      }
      return read.complete();
    } catch (SQLException e) {
      error = e; // the driver failed while the rows were read: what the caller would have seen
      return null;
    } catch (RuntimeException e) {
      // Our own failure: run the query again, plainly, and leave the cache out of it.
      cache.notStored.increment();
      try {
        own = call.call();
      } catch (Throwable t) {
        error = t;
      }
      return null;
    }
  }

  /** The Redis entry when its versions are current; counts it as a hit. Null otherwise. */
  private CachedResult remoteHit(RemoteTier.Lookup found) {
    try {
      if (!java.util.Arrays.equals(ResultCodec.versions(found.entry()), found.versions())) {
        return null;
      }
      CachedResult r = ResultCodec.decode(found.entry(), seen);
      own = CachedResultSet.open(r);
      cache.misses.decrement(); // counted as a miss of the in-process tier before the load
      cache.hits.increment();
      cache.remoteHits.increment();
      return r.fresh(now.get()) ? r : null;
    } catch (java.io.IOException | RuntimeException e) {
      cache.remote.errors.increment(); // an entry we cannot read: the database answers
      own = null;
      return null;
    }
  }
}
