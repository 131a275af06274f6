package dev.optimizer.runtime.signal;

import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The maximum of a gauge's samples per fixed time slice, in a ring, so that any number of readers,
 * each with its own window, can ask for the peak since they opened.
 *
 * <p><b>Why slices.</b> A sum can be differenced between a reader's mark and its read (as {@link
 * LatencySignal}'s counts and means are); a maximum cannot. Keeping one maximum per slice lets each
 * reader take the maximum over the slices its window covers, whenever it opened, with no per-reader
 * state on the writer's path.
 *
 * <p><b>The opening slice.</b> A window rarely opens on a slice boundary, and the slice it opens in
 * may already hold samples from before. Each slice also counts its samples, and a reader remembers
 * that count at its opening: if no sample arrived in the opening slice after that, the slice is
 * left out; if some did, the slice's whole maximum counts — including samples from before the
 * opening in that one slice. So a window's peak is never below the true peak of its samples, and
 * exceeds it only by a sample from the part of the opening slice before it opened. For a limit that
 * is judged "used" from its peak, erring high at one edge is the safe side: erring low kept limits
 * that were reached in bursts from ever growing.
 *
 * <p><b>Writers</b> are lock-free: a compare-and-set loop that raises the slice's maximum (it
 * rarely loops: only while the maximum is being raised concurrently) and an atomic increment; a
 * slot moves on to a new slice by swapping in a fresh slice record (one allocation per slice and
 * gauge), so a sample can never be wiped by a concurrent reset. A sample whose slice is older than
 * the one its slot already holds — {@code ring} slices behind — is dropped; a window longer than
 * the ring reports the peak of its last {@code ring} slices.
 */
final class SlicePeak {
  private final long originNanos;
  private final long sliceNanos;
  private final int ring;
  private final AtomicReferenceArray<Slice> slots;

  /** Where a reader opened: the slice, and how many samples it held then. */
  record Mark(long slice, long count) {}

  SlicePeak(long originNanos, long sliceNanos, int ring) {
    this.originNanos = originNanos;
    this.sliceNanos = sliceNanos;
    this.ring = ring;
    this.slots = new AtomicReferenceArray<>(ring);
  }

  long sliceOf(long nanos) {
    return Math.floorDiv(nanos - originNanos, sliceNanos);
  }

  private int slotOf(long slice) {
    return (int) Math.floorMod(slice, (long) ring);
  }

  /** Records a sample taken at {@code nanos}; the value must not be NaN. */
  void record(long nanos, double value) {
    long id = sliceOf(nanos);
    int slot = slotOf(id);
    while (true) {
      Slice s = slots.get(slot);
      if (s != null && s.id == id) {
        s.add(value);
        return;
      }
      if (s != null && s.id > id) {
        return; // a straggler from a slice the ring has already moved past
      }
      if (slots.compareAndSet(slot, s, new Slice(id, value))) {
        return;
      }
      // Another writer moved the slot on first: look again (it may be this very slice).
    }
  }

  /** The mark of a reader opening at {@code nanos}. */
  Mark mark(long nanos) {
    long id = sliceOf(nanos);
    Slice s = slots.get(slotOf(id));
    return new Mark(id, s != null && s.id == id ? s.count : 0);
  }

  /**
   * The peak of the samples since {@code mark} up to {@code toNanos} (the slice containing it
   * included: a peak, unlike a rate, needs no whole slice), or NaN if there were none.
   */
  double peakSince(Mark mark, long toNanos) {
    long end = sliceOf(toNanos);
    long first = Math.max(mark.slice(), end - ring + 1);
    double peak = Double.NaN;
    for (long id = first; id <= end; id++) {
      Slice s = slots.get(slotOf(id));
      if (s == null || s.id != id) {
        continue;
      }
      // The count first: a sample is counted only after it raised the maximum, so a count that
      // shows it guarantees that the maximum read next includes it.
      if (id == mark.slice() && s.count <= mark.count()) {
        continue; // nothing arrived in the opening slice since the mark
      }
      double max = s.max();
      if (!(max <= peak)) {
        peak = max;
      }
    }
    return peak;
  }

  /** One slice's maximum and sample count; a new slice gets a new record, never a reset one. */
  private static final class Slice {
    private static final AtomicLongFieldUpdater<Slice> MAX =
        AtomicLongFieldUpdater.newUpdater(Slice.class, "maxBits");
    private static final AtomicLongFieldUpdater<Slice> COUNT =
        AtomicLongFieldUpdater.newUpdater(Slice.class, "count");

    final long id;
    private volatile long maxBits;
    volatile long count;

    Slice(long id, double first) {
      this.id = id;
      this.maxBits = Double.doubleToRawLongBits(first);
      this.count = 1;
    }

    void add(double value) {
      long bits = maxBits;
      while (value > Double.longBitsToDouble(bits)
          && !MAX.compareAndSet(this, bits, Double.doubleToRawLongBits(value))) {
        bits = maxBits;
      }
      COUNT.incrementAndGet(this);
    }

    double max() {
      return Double.longBitsToDouble(maxBits);
    }
  }
}
