package dev.optimizer.db.cache.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Version counters moved by every write the application commits. A cached result remembers the
 * versions it depends on as they were <em>before</em> its query ran, and is served only while they
 * are unchanged.
 *
 * <p>Why this order is enough: a write bumps its counters after its commit returned. A query that
 * snapshots the versions after that bump runs after the commit, so it sees the write; a query that
 * snapshots them before may have missed the write, and its result carries the old versions, so it
 * is never served after the bump — whether it is stored before or after it. That also closes the
 * race of a slow read storing an old result after the invalidation.
 *
 * <p>Per table there are three kinds of counter. {@code all} moves with every write to the table; a
 * read not pinned to one key depends on it. A read pinned to one key (see {@link KeyPins}) depends
 * on {@code wide}, moved by writes not pinned to a key, and on the key's slot in {@code keys},
 * moved by writes pinned to a key hashing there. Keys share {@link #KEY_SLOTS} slots per table: a
 * collision only invalidates more. One more counter, "everything", is moved by DDL and whatever we
 * cannot read.
 *
 * <p>Thread-safe. Tables are never forgotten (a schema has a bounded number of them); past {@link
 * #MAX_TABLES} names, every unknown table shares one set of counters, which only invalidates more.
 */
public final class TableVersions {
  static final int MAX_TABLES = 100_000;
  static final int KEY_SLOTS = 32_768;

  private final AtomicLong everything = new AtomicLong();
  private final Counters overflow = new Counters();
  private final ConcurrentHashMap<String, Counters> tables = new ConcurrentHashMap<>();

  private static final class Counters {
    final AtomicLong all = new AtomicLong();
    final AtomicLong wide = new AtomicLong();
    volatile AtomicLongArray keys;

    AtomicLongArray keys() {
      AtomicLongArray k = keys;
      if (k == null) {
        synchronized (this) {
          k = keys;
          if (k == null) {
            k = new AtomicLongArray(KEY_SLOTS);
            keys = k;
          }
        }
      }
      return k;
    }
  }

  /**
   * The versions a read of {@code names} depends on now: slot 0 is "everything", then per table its
   * {@code all} counter — or, for {@code pinnedTable}, its {@code wide} counter and its key slot.
   */
  public long[] snapshot(String[] names, String pinnedTable, long key) {
    long[] v = new long[names.length + 2];
    v[0] = everything.get();
    for (int i = 0; i < names.length; i++) {
      Counters c = counters(names[i]);
      if (names[i].equals(pinnedTable)) {
        v[i + 1] = c.wide.get();
        v[names.length + 1] = c.keys().get(slot(key));
      } else {
        v[i + 1] = c.all.get();
      }
    }
    return v;
  }

  /** The versions a read of {@code names} pinned to no key depends on now. */
  public long[] snapshot(String[] names) {
    return snapshot(names, null, 0);
  }

  /** A write to the table not pinned to one key. */
  public void bump(String table) {
    Counters c = counters(table);
    c.wide.incrementAndGet();
    c.all.incrementAndGet();
  }

  /** A write to one key of the table. */
  public void bumpKey(String table, long key) {
    Counters c = counters(table);
    c.keys().incrementAndGet(slot(key));
    c.all.incrementAndGet();
  }

  /** Marks every table changed (DDL, a procedure call, a write we could not read). */
  public void bumpAll() {
    everything.incrementAndGet();
  }

  private static int slot(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h >>> 49) & (KEY_SLOTS - 1);
  }

  private Counters counters(String name) {
    Counters c = tables.get(name);
    if (c != null) {
      return c;
    }
    if (tables.size() >= MAX_TABLES) {
      return overflow;
    }
    return tables.computeIfAbsent(name, n -> new Counters());
  }
}
