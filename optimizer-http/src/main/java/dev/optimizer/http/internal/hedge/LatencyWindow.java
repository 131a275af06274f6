package dev.optimizer.http.internal.hedge;

import java.util.Arrays;

/**
 * The last {@code size} attempt latencies of one host, and the hedge delay drawn from them: their
 * {@code percentile}, but at least twice their median, clamped to [min, max], recomputed every
 * {@code size / 16} samples so that a request pays only an array store.
 *
 * <p>Why twice the median: where a few percent of requests are very slow (the case hedging is for),
 * the percentile falls right at the edge of the fast requests, and the ordinary jitter of fast
 * requests would then spend the budget on hedges that cannot help, leaving slow requests without
 * one. An attempt twice as slow as the typical one is the anomaly worth a backup. Until {@code
 * warmup} samples are in, there is no delay (no hedging): a percentile of a handful of samples
 * would be noise. Thread-safe.
 */
final class LatencyWindow {
  private final long[] ring;
  private final double percentile;
  private final long minNanos;
  private final long maxNanos;
  private final int warmup;
  private final int refreshEvery;
  private int next;
  private int count;
  private int sinceRefresh;
  private volatile long delayNanos = -1;

  LatencyWindow(int size, double percentile, long minNanos, long maxNanos, int warmup) {
    this.ring = new long[size];
    this.percentile = percentile;
    this.minNanos = minNanos;
    this.maxNanos = maxNanos;
    this.warmup = warmup;
    this.refreshEvery = Math.max(1, size / 16);
  }

  /** The current hedge delay in nanoseconds; -1 before the window is warm. */
  long delayNanos() {
    return delayNanos;
  }

  /** Records the latency of one attempt that completed (cancelled losers are not recorded). */
  void record(long nanos) {
    long[] copy = null;
    synchronized (this) {
      ring[next] = nanos;
      next = (next + 1) % ring.length;
      if (count < ring.length) {
        count++;
      }
      if (count >= warmup && (++sinceRefresh >= refreshEvery || delayNanos < 0)) {
        sinceRefresh = 0;
        copy = Arrays.copyOf(ring, count);
      }
    }
    if (copy != null) {
      // Two selections instead of a sort: the window is refreshed every size/16 requests, and a
      // sort of 1,024 values was the largest single cost hedging added to a request.
      int n = copy.length;
      int rank = Math.max(0, Math.min(n - 1, (int) Math.ceil(percentile / 100.0 * n) - 1));
      int mid = n / 2;
      long atRank = select(copy, 0, n - 1, rank);
      long median = mid <= rank ? select(copy, 0, rank, mid) : select(copy, rank, n - 1, mid);
      long value = Math.max(atRank, 2 * median);
      delayNanos = Math.max(minNanos, Math.min(maxNanos, value));
    }
  }

  /**
   * The value that would sit at index {@code k} if {@code a[from..to]} were sorted; reorders that
   * range so that it does (smaller values before k, larger after). Quickselect, median-of-three.
   */
  static long select(long[] a, int from, int to, int k) {
    int lo = from;
    int hi = to;
    while (hi > lo) {
      int mid = (lo + hi) >>> 1;
      if (a[mid] < a[lo]) {
        swap(a, mid, lo);
      }
      if (a[hi] < a[lo]) {
        swap(a, hi, lo);
      }
      if (a[hi] < a[mid]) {
        swap(a, hi, mid);
      }
      long pivot = a[mid];
      int i = lo;
      int j = hi;
      while (i <= j) {
        while (a[i] < pivot) {
          i++;
        }
        while (a[j] > pivot) {
          j--;
        }
        if (i <= j) {
          swap(a, i++, j--);
        }
      }
      if (k <= j) {
        hi = j;
      } else if (k >= i) {
        lo = i;
      } else {
        return a[k];
      }
    }
    return a[k];
  }

  private static void swap(long[] a, int i, int j) {
    long t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}
