package dev.optimizer.runtime.signal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts events per fixed time slice in a ring, so that a reader can ask for per-slice throughput
 * over any recent stretch. Recording is lock-free: one atomic add, plus a compare-and-set when a
 * slot is reused for a new slice. A slot is reused only after {@code ring} slices, so readers of
 * windows shorter than the ring see exact counts; an increment racing with that reuse may be lost,
 * which is harmless for a statistic.
 */
final class SliceCounter {
  private final long originNanos;
  private final long sliceNanos;
  private final int ring;
  private final AtomicLongArray ids;
  private final AtomicLongArray counts;

  SliceCounter(long originNanos, long sliceNanos, int ring) {
    this.originNanos = originNanos;
    this.sliceNanos = sliceNanos;
    this.ring = ring;
    this.ids = new AtomicLongArray(ring);
    this.counts = new AtomicLongArray(ring);
    for (int i = 0; i < ring; i++) {
      ids.set(i, -1);
    }
  }

  long sliceOf(long nanos) {
    return Math.floorDiv(nanos - originNanos, sliceNanos);
  }

  void increment(long nanos) {
    long id = sliceOf(nanos);
    int slot = (int) Math.floorMod(id, (long) ring);
    long seen = ids.get(slot);
    if (seen != id) {
      if (seen > id) {
        return; // a straggler from a slice the ring has already moved past
      }
      if (ids.compareAndSet(slot, seen, id)) {
        counts.set(slot, 0);
      }
    }
    counts.incrementAndGet(slot);
  }

  /** Events per second in each whole slice that lies within [fromNanos, toNanos). */
  double[] ratesBetween(long fromNanos, long toNanos) {
    long first = Math.floorDiv(fromNanos - originNanos + sliceNanos - 1, sliceNanos);
    long end = sliceOf(toNanos); // exclusive: the slice containing 'to' is still filling
    first = Math.max(first, end - ring + 1);
    if (end <= first) {
      return new double[0];
    }
    double[] rates = new double[(int) (end - first)];
    double perSecond = 1e9 / sliceNanos;
    for (long id = first; id < end; id++) {
      int slot = (int) Math.floorMod(id, (long) ring);
      rates[(int) (id - first)] = ids.get(slot) == id ? counts.get(slot) * perSecond : 0;
    }
    return rates;
  }
}
