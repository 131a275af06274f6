package dev.optimizer.db.cache.internal;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A version counter per table, and one for "everything", moved by every write the application
 * commits. A cached result remembers the versions of its tables as they were <em>before</em> its
 * query ran, and is served only while they are unchanged.
 *
 * <p>Why this order is enough: a write bumps its tables after its commit returned. A query that
 * snapshots the versions after that bump runs after the commit, so it sees the write; a query that
 * snapshots them before may have missed the write, and its result carries the old versions, so it
 * is never served after the bump — whether it is stored before or after it. That also closes the
 * race of a slow read storing an old result after the invalidation.
 *
 * <p>Thread-safe. Tables are never forgotten (a schema has a bounded number of them); past {@link
 * #MAX_TABLES} names, every unknown table shares one counter, which only invalidates more.
 */
public final class TableVersions {
  static final int MAX_TABLES = 100_000;

  private final AtomicLong everything = new AtomicLong();
  private final AtomicLong overflow = new AtomicLong();
  private final ConcurrentHashMap<String, AtomicLong> tables = new ConcurrentHashMap<>();

  /** The versions of {@code names} now: slot 0 is "everything", then one per name, in order. */
  public long[] snapshot(String[] names) {
    long[] v = new long[names.length + 1];
    v[0] = everything.get();
    for (int i = 0; i < names.length; i++) {
      v[i + 1] = counter(names[i]).get();
    }
    return v;
  }

  /** Marks the tables changed. */
  public void bump(Collection<String> names) {
    for (String n : names) {
      counter(n).incrementAndGet();
    }
  }

  /** Marks every table changed (DDL, a procedure call, a write we could not read). */
  public void bumpAll() {
    everything.incrementAndGet();
  }

  private AtomicLong counter(String name) {
    AtomicLong c = tables.get(name);
    if (c != null) {
      return c;
    }
    if (tables.size() >= MAX_TABLES) {
      return overflow;
    }
    return tables.computeIfAbsent(name, n -> new AtomicLong());
  }
}
