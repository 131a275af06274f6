package dev.optimizer.db.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A small concurrent histogram of latencies in nanoseconds, one per statement fingerprint: it
 * reports percentiles within 1/64 (1.6%) of the true value and the exact maximum, and holds
 * counters only for the powers of two that values fell in.
 *
 * <p>Why not an HdrHistogram: an {@code AtomicHistogram} covering a nanosecond to an hour at two
 * significant digits is an array of 4,608 longs, 37 KB whether a statement ran once or a million
 * times — 180 MB at the default 5,000 fingerprints (recording microseconds: 27 KB). The packed
 * variants are small once grown but record through a resizable packed array (about 50 ns a value
 * here, 200 ns with two threads on one histogram, the concurrent one through a writer phaser) and
 * leave 50–130 KB of garbage growing.
 *
 * <p>How: a statement's latencies sit within a few powers of two, with a thin tail of outliers.
 * Each power of two [2<sup>k</sup>, 2<sup>k+1</sup>) is cut into {@value #SUB_BUCKETS} equal
 * buckets (log-linear, as HdrHistogram does; below {@value #SUB_BUCKETS} ns each nanosecond is a
 * bucket), and a power's {@value #SUB_BUCKETS} counters (an {@code int[]}, 144 bytes) are allocated
 * the first time a value falls in it. A latency distribution with outliers from a millisecond to a
 * fifth of a second takes about 2.4 KB; values spread evenly from a microsecond to an hour, 5 KB.
 *
 * <p>Counters are unsigned ints, so a bucket holds 4.29 billion values; the add that wraps one
 * carries 2<sup>32</sup> into a long array allocated only then. (A reader in the instant between
 * the wrap and the carry counts that bucket 2<sup>32</sup> short.)
 *
 * <p>Recording is lock-free: a read of the power's array, a compare-and-set the first time that
 * power is seen, one atomic add, and a read of the maximum (a compare-and-set only when it grows).
 * Reading while others record is safe: counters only grow, so a percentile walk may miss values
 * recorded during it but never counts one twice. A percentile is reported as its bucket's midpoint
 * (so it is off by at most half a bucket, 1/64 of the value), and never above the maximum.
 */
final class LatencyHistogram {
  /** Values are recorded up to an hour, in nanoseconds; longer ones in the hour's bucket. */
  static final long HIGHEST = 3_600_000_000_000L;

  private static final int SUB_BITS = 5;
  static final int SUB_BUCKETS = 1 << SUB_BITS;
  private static final int SUB_MASK = SUB_BUCKETS - 1;

  /** Group 0 holds 0..31 ns, a nanosecond each; group g ≥ 1 holds [2^(g+4), 2^(g+5)). */
  static final int GROUPS = (64 - Long.numberOfLeadingZeros(HIGHEST)) - SUB_BITS + 1;

  private static final long UNSIGNED_INT_MAX = 0xFFFF_FFFFL;
  private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(int[].class);
  private static final VarHandle MAX;
  private static final VarHandle CARRIES;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      MAX = lookup.findVarHandle(LatencyHistogram.class, "max", long.class);
      CARRIES = lookup.findVarHandle(LatencyHistogram.class, "carries", AtomicLongArray.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final AtomicReferenceArray<int[]> groups = new AtomicReferenceArray<>(GROUPS);

  @SuppressWarnings("unused") // through MAX
  private volatile long max;

  /** Multiples of 2^32 per bucket (group * SUB_BUCKETS + sub); null until a counter wraps. */
  private volatile AtomicLongArray carries;

  /** Records one value; values below 1 count as 1, above {@link #HIGHEST} as {@code HIGHEST}. */
  void record(long nanos) {
    record(nanos, 1);
  }

  /** Records {@code times} (at least 1) values of {@code nanos}. */
  void record(long nanos, int times) {
    long v = Math.max(1, nanos);
    // The maximum first: a reader that sees this value counted then sees a maximum at least as
    // high.
    long m = max;
    while (v > m) {
      long seen = (long) MAX.compareAndExchange(this, m, v);
      if (seen == m) {
        break;
      }
      m = seen;
    }
    v = Math.min(v, HIGHEST);
    int e = 63 - Long.numberOfLeadingZeros(v);
    int g;
    int s;
    if (e < SUB_BITS) {
      g = 0;
      s = (int) v;
    } else {
      g = e - SUB_BITS + 1;
      s = (int) (v >>> (e - SUB_BITS)) & SUB_MASK;
    }
    int[] counts = groups.get(g);
    if (counts == null) {
      counts = group(g);
    }
    int old = (int) COUNTS.getAndAdd(counts, s, times);
    if (Integer.toUnsignedLong(old) + times > UNSIGNED_INT_MAX) {
      carry(g * SUB_BUCKETS + s);
    }
  }

  private int[] group(int g) {
    int[] fresh = new int[SUB_BUCKETS];
    int[] won = groups.compareAndExchange(g, null, fresh);
    return won == null ? fresh : won;
  }

  private void carry(int bucket) {
    AtomicLongArray c = carries;
    if (c == null) {
      AtomicLongArray fresh = new AtomicLongArray(GROUPS * SUB_BUCKETS);
      c = (AtomicLongArray) CARRIES.compareAndExchange(this, null, fresh);
      if (c == null) {
        c = fresh;
      }
    }
    c.incrementAndGet(bucket);
  }

  private long count(int[] counts, int g, int s, AtomicLongArray c) {
    long n = Integer.toUnsignedLong((int) COUNTS.getVolatile(counts, s));
    return c == null ? n : n + (c.get(g * SUB_BUCKETS + s) << 32);
  }

  /** The number of values recorded. */
  long count() {
    AtomicLongArray c = carries;
    long total = 0;
    for (int g = 0; g < GROUPS; g++) {
      int[] counts = groups.get(g);
      if (counts != null) {
        for (int s = 0; s < SUB_BUCKETS; s++) {
          total += count(counts, g, s, c);
        }
      }
    }
    return total;
  }

  /** The largest value recorded (not capped at an hour); 0 before the first. */
  long max() {
    return max;
  }

  /**
   * The values at the given percentiles, each in [0, 100] and in ascending order, as HdrHistogram
   * ranks them (the smallest value with at least p% of the values at or below it); 0s when empty.
   */
  long[] valuesAtPercentiles(double... percentiles) {
    long total = count();
    AtomicLongArray c = carries;
    long[] values = new long[percentiles.length];
    if (total == 0) {
      return values;
    }
    long highest = max; // read after the counts, so at least every value counted in them
    long[] ranks = new long[percentiles.length];
    for (int i = 0; i < percentiles.length; i++) {
      // p * total first: exact for whole percentiles, where p / 100 * total can round up a rank.
      ranks[i] = Math.max(1, (long) Math.ceil(percentiles[i] * total / 100.0));
      values[i] = highest;
    }
    // Counts only grow, so this walk reaches every rank taken from the total above; only in the
    // instant between a counter's wrap and its carry may it fall short, and leave the maximum.
    int next = 0;
    long seen = 0;
    for (int g = 0; g < GROUPS && next < ranks.length; g++) {
      int[] counts = groups.get(g);
      if (counts == null) {
        continue;
      }
      for (int s = 0; s < SUB_BUCKETS && next < ranks.length; s++) {
        seen += count(counts, g, s, c);
        while (next < ranks.length && seen >= ranks[next]) {
          values[next] = Math.min(midpoint(g, s), highest);
          next++;
        }
      }
    }
    return values;
  }

  /** The middle of bucket {@code s} of group {@code g}, rounded down. */
  static long midpoint(int g, int s) {
    if (g == 0) {
      return s;
    }
    long width = 1L << (g - 1);
    return ((long) (SUB_BUCKETS + s) << (g - 1)) + width / 2;
  }

  /**
   * An estimate of this histogram's heap footprint in bytes from its arrays' lengths, for a 64-bit
   * JVM with compressed references (12-byte object headers, 16 with an array's length, 4-byte
   * references, 8-byte alignment).
   */
  long footprintBytes() {
    AtomicLongArray c = carries;
    long bytes = align(12 + 8 + 4 + 4); // this object: max, the groups, the carries
    bytes += align(12 + 4) + align(16 + 4L * GROUPS); // the AtomicReferenceArray and its array
    for (int g = 0; g < GROUPS; g++) {
      if (groups.get(g) != null) {
        bytes += align(16 + 4L * SUB_BUCKETS);
      }
    }
    if (c != null) {
      bytes += align(12 + 4) + align(16 + 8L * GROUPS * SUB_BUCKETS);
    }
    return bytes;
  }

  private static long align(long bytes) {
    return (bytes + 7) & ~7L;
  }
}
