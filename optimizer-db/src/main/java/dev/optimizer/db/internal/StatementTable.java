package dev.optimizer.db.internal;

import dev.optimizer.db.StatementStats;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

/**
 * Per-fingerprint statistics, bounded: once {@code capacity} fingerprints are tracked, further ones
 * are counted under a single overflow entry, as pg_stat_statements does with its {@code max}
 * setting (which evicts instead; counting keeps totals honest without churn).
 *
 * <p>An entry takes about 2.5 KB of heap (its adders, its map node and a {@link LatencyHistogram}
 * that grows with the powers of two its latencies fall in), 5.1 KB at most: 12.5 MB at the default
 * 5,000 fingerprints, where a fixed-range HdrHistogram made it 37.8 KB (189 MB). Its text is cut to
 * {@link StatementKey#MAX_STATISTICS_TEXT} characters ({@link StatementKey#statisticsKey()}), about
 * 4 KB more at most (8 KB in UTF-16), where a full normalized text could take 64 KiB: the id, and
 * with it the entry a statement is counted in, still comes from the full text.
 */
public final class StatementTable {
  /** The id under which statements beyond the capacity are counted. */
  public static final long OVERFLOW_ID = Long.MIN_VALUE;

  private static final StatementKey OVERFLOW =
      new StatementKey(OVERFLOW_ID, "<other statements>", "", "", "other");

  private final int capacity;
  private final ConcurrentHashMap<Long, Entry> entries = new ConcurrentHashMap<>();
  private volatile int generation;
  private final List<Runnable> flushers = new CopyOnWriteArrayList<>();
  private final List<Runnable> clearListeners = new CopyOnWriteArrayList<>();

  /** The key statements beyond the capacity are counted under; its summary is {@code other}. */
  static StatementKey overflowKey() {
    return OVERFLOW;
  }

  /** A table of at most {@code capacity} fingerprints. */
  public StatementTable(int capacity) {
    this.capacity = capacity;
  }

  /**
   * Adds what applies records handed off but not yet applied (see {@code DeferredRecords}); each
   * read runs them all first, so that it sees every execution that has returned.
   */
  void addFlusher(Runnable flusher) {
    flushers.add(flusher);
  }

  void removeFlusher(Runnable flusher) {
    flushers.remove(flusher);
  }

  private void flush() {
    for (Runnable f : flushers) {
      f.run();
    }
  }

  /** Records one execution. */
  public void record(StatementKey key, long nanos, long rows, boolean error) {
    entryFor(key).add(nanos, rows, error);
  }

  /** Adds rows read through a result set after its execution was recorded. */
  public void addRows(StatementKey key, long rows) {
    Entry e = entries.get(key.id());
    if (e != null && rows > 0) {
      e.rows.add(rows);
    }
  }

  /**
   * Adds rows read through a result set to the entry its statement is counted under (its own, or
   * the overflow entry's): {@code addRows(effectiveKey(key), rows)} in one lookup.
   */
  public void addRowsCounted(StatementKey key, long rows) {
    if (rows <= 0) {
      return;
    }
    Entry e = entries.get(key.id());
    if (e == null && entries.size() >= capacity) {
      e = entries.get(OVERFLOW_ID);
    }
    if (e != null) {
      e.rows.add(rows);
    }
  }

  /** The key a statement is counted under: its own, or the overflow entry's. */
  public StatementKey effectiveKey(StatementKey key) {
    return entries.containsKey(key.id()) || entries.size() < capacity ? key : OVERFLOW;
  }

  /** The statistics of one fingerprint. */
  public Optional<StatementStats> get(long fingerprintId) {
    flush();
    return Optional.ofNullable(entries.get(fingerprintId)).map(Entry::snapshot);
  }

  /** The {@code n} fingerprints with the largest total time, largest first. */
  public List<StatementStats> topByTotalTime(int n) {
    flush();
    List<StatementStats> all = new ArrayList<>();
    for (Entry e : entries.values()) {
      all.add(e.snapshot());
    }
    all.sort(Comparator.comparingLong(StatementStats::totalNanos).reversed());
    return all.subList(0, Math.min(n, all.size()));
  }

  /** Forgets everything, and tells those that keep per-statement state beside the table. */
  public void clear() {
    flush(); // what ran before the reset is forgotten with the rest, not counted after it
    entries.clear();
    generation++; // after clearing: a slot resolved before sees a new generation and resolves again
    for (Runnable l : clearListeners) {
      l.run();
    }
  }

  /** Runs {@code listener} after each {@link #clear()} (the index advisor's samples). */
  public void onClear(Runnable listener) {
    clearListeners.add(listener);
  }

  /** Changes whenever the table is cleared; entries resolved under an older one are gone. */
  int generation() {
    return generation;
  }

  /** The entry a statement's executions are counted in, its own or the overflow's, created. */
  Entry entryFor(StatementKey key) {
    Entry e = entries.get(key.id());
    if (e == null) {
      // The entry lives as long as the data source: it keeps a bounded text, under the id of the
      // full one.
      e =
          entries.size() < capacity
              ? entries.computeIfAbsent(key.id(), id -> new Entry(key.statisticsKey()))
              : entries.computeIfAbsent(OVERFLOW_ID, id -> new Entry(OVERFLOW));
    }
    return e;
  }

  /** One fingerprint's statistics (or the overflow's). */
  static final class Entry {
    final StatementKey key;
    final LongAdder calls = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder rows = new LongAdder();
    final LongAdder totalNanos = new LongAdder();
    // Grows with the powers of two the latencies fall in: 2.4 KB for a query's, 5 KB at most, where
    // a fixed-range AtomicHistogram took 37 KB. One atomic add per value, as that did.
    final LatencyHistogram histogram = new LatencyHistogram();

    Entry(StatementKey key) {
      this.key = key;
    }

    void add(long nanos, long rowCount, boolean error) {
      calls.increment();
      if (error) {
        errors.increment();
      }
      if (rowCount > 0) {
        rows.add(rowCount);
      }
      totalNanos.add(nanos);
      histogram.record(nanos);
    }

    StatementStats snapshot() {
      long[] percentiles = histogram.valuesAtPercentiles(50, 99);
      return new StatementStats(
          key.id(),
          key.text(),
          key.summary(),
          calls.sum(),
          errors.sum(),
          rows.sum(),
          totalNanos.sum(),
          percentiles[0],
          percentiles[1],
          histogram.max());
    }
  }
}
