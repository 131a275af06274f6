package dev.optimizer.db.cache.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
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
 * moved by writes pinned to a key hashing there. Keys share {@link #KEY_SLOTS} slots per table
 * (fewer make hot keys share slots with written ones: with 4,096, db-result-cache's hit rate fell
 * from 0.94 to 0.84): a collision only invalidates more. One more counter, "everything", is moved
 * by DDL and whatever we cannot read.
 *
 * <p>The key slots cost {@link #KEY_SLOT_BYTES} per table, so only the first {@code maxKeyedTables}
 * tables to be read or written by key get them; each other table keeps none, for good, and its
 * pinned reads depend on its {@code all} counter instead (any write to it invalidates them). The
 * choice is made once per table, so a read's versions are always taken the same way and compare.
 *
 * <p>Thread-safe. Tables are never forgotten (a schema has a bounded number of them); past {@link
 * #MAX_TABLES} names, every unknown table shares one set of counters, which only invalidates more.
 */
public final class TableVersions {
  static final int MAX_TABLES = 100_000;
  static final int KEY_SLOTS = 32_768;

  /** The bytes of one table's key slots. */
  static final long KEY_SLOT_BYTES = 8L * KEY_SLOTS + 16;

  /** A table that was refused key slots. */
  private static final AtomicLongArray NO_KEYS = new AtomicLongArray(0);

  private final AtomicLong everything = new AtomicLong();
  private final Counters overflow = new Counters();
  private final ConcurrentHashMap<String, Counters> tables = new ConcurrentHashMap<>();
  private final int maxKeyedTables;
  private final AtomicInteger keyedTables = new AtomicInteger();

  /** Versions whose key slots take at most {@code keySlotBytes} bytes in all. */
  public TableVersions(long keySlotBytes) {
    this.maxKeyedTables = (int) Math.min(MAX_TABLES, Math.max(0, keySlotBytes / KEY_SLOT_BYTES));
  }

  private final class Counters {
    final AtomicLong all = new AtomicLong();
    final AtomicLong wide = new AtomicLong();
    volatile AtomicLongArray keys;

    /** The table's key slots, or null when it was refused them (decided once, for good). */
    AtomicLongArray keys() {
      AtomicLongArray k = keys;
      if (k == null) {
        synchronized (this) {
          k = keys;
          if (k == null) {
            k = reserveKeySlots() ? new AtomicLongArray(KEY_SLOTS) : NO_KEYS;
            keys = k;
          }
        }
      }
      return k == NO_KEYS ? null : k;
    }
  }

  private boolean reserveKeySlots() {
    int n;
    do {
      n = keyedTables.get();
      if (n >= maxKeyedTables) {
        return false;
      }
    } while (!keyedTables.compareAndSet(n, n + 1));
    return true;
  }

  /** The bytes the key slots take now. */
  long keySlotBytes() {
    return keyedTables.get() * KEY_SLOT_BYTES;
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
      AtomicLongArray keys;
      if (names[i].equals(pinnedTable) && (keys = c.keys()) != null) {
        v[i + 1] = c.wide.get();
        v[names.length + 1] = keys.get(slot(key));
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
    AtomicLongArray keys = c.keys();
    if (keys != null) {
      keys.incrementAndGet(slot(key));
    }
    c.all.incrementAndGet();
  }

  /** Marks every table changed (DDL, a procedure call, a write we could not read). */
  public void bumpAll() {
    everything.incrementAndGet();
  }

  private static int slot(long key) {
    long h = key * 0x9E3779B97F4A7C15L;
    return (int) (h >>> (64 - Integer.numberOfTrailingZeros(KEY_SLOTS)));
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
