package dev.optimizer.ai.inference.vector;

import java.util.Arrays;
import java.util.BitSet;
import java.util.function.IntPredicate;

/**
 * The quantized codes of a {@link QuantizedVectorIndex}'s slots, and the first pass of its search,
 * the scan over them: int8 codes with one scale per slot ({@link VectorEncoding#INT8}), or one sign
 * bit per dimension ({@link VectorEncoding#BINARY}). One column of the index's slots, beside the
 * ids ({@link IdTable}), the full vectors ({@link ExactVectors}) and a store's values ({@link
 * SlotValues}); which slots are used and which are dead is the index's to say, and it passes that
 * to the scan.
 *
 * <p>Slots are held in pages of {@link QuantizedVectorIndex#PAGE} vectors (why: there), the first
 * growing by doubling up to a page.
 *
 * <p>Not thread-safe: the index guards it with its lock, writing ({@link #ensureCapacity}, {@link
 * #encode}, {@link #compact}) under the write lock and scanning under the read lock, so that scans
 * run in parallel and never see a page being replaced.
 */
final class QuantizedCodes {

  private static final int SHIFT = QuantizedVectorIndex.PAGE_SHIFT;
  private static final int PAGE = QuantizedVectorIndex.PAGE;

  private final int dim;
  private final VectorEncoding encoding;
  private final int words;

  // Slot s lives in page s >>> SHIFT at s & (PAGE - 1); only the first page may hold fewer than
  // PAGE slots (it grows by doubling up to PAGE).
  private byte[][] codes = new byte[0][];
  private float[][] scales = new float[0][];
  private long[][] bits = new long[0][];
  private int pages; // pages of codes and scales, or of bits
  private int capacity; // slots allocated

  /** No slots yet, for vectors of {@code dim} dimensions encoded as {@code encoding}. */
  QuantizedCodes(int dim, VectorEncoding encoding) {
    this.dim = dim;
    this.encoding = encoding;
    this.words = (dim + 63) / 64;
  }

  /**
   * Writes the codes of the unit vector {@code v} at slot {@code ord}, which must be allocated
   * ({@link #ensureCapacity}) and never written since it was (binary codes are OR-ed in).
   */
  void encode(int ord, float[] v) {
    int page = ord >>> SHIFT;
    int at = ord & (PAGE - 1);
    if (encoding == VectorEncoding.INT8) {
      scales[page][at] = VectorCodes.encodeInt8(v, codes[page], at * dim);
    } else {
      VectorCodes.encodeBits(v, bits[page], at * words);
    }
  }

  /**
   * The best {@code m} (at least 1) of the first {@code size} slots by approximate score against
   * the unit vector {@code q}, skipping those {@code deleted} marks; {@code filter} (null: every
   * slot) is asked only about a slot whose approximate score would enter the candidates. The null
   * test is loop-invariant, so the unfiltered scan costs what it did before filters existed.
   */
  TopK candidates(float[] q, int m, int size, BitSet deleted, IntPredicate filter) {
    TopK candidates = new TopK(m);
    if (encoding == VectorEncoding.INT8) {
      byte[] qc = new byte[dim];
      float qs = VectorCodes.encodeInt8(q, qc, 0);
      for (int base = 0; base < size; base += PAGE) {
        int page = base >>> SHIFT;
        byte[] pc = codes[page];
        float[] ps = scales[page];
        int n = Math.min(PAGE, size - base);
        for (int at = 0; at < n; at++) {
          if (deleted.get(base + at)) {
            continue;
          }
          int off = at * dim;
          int dot = 0;
          for (int j = 0; j < dim; j++) {
            dot += pc[off + j] * qc[j];
          }
          double score = dot * ps[at] * qs;
          if (filter == null || (candidates.accepts(score) && filter.test(base + at))) {
            candidates.offer(base + at, score);
          }
        }
      }
    } else {
      long[] qb = new long[words];
      VectorCodes.encodeBits(q, qb, 0);
      for (int base = 0; base < size; base += PAGE) {
        int page = base >>> SHIFT;
        long[] pb = bits[page];
        int n = Math.min(PAGE, size - base);
        for (int at = 0; at < n; at++) {
          if (deleted.get(base + at)) {
            continue;
          }
          int off = at * words;
          int same = 0;
          for (int w = 0; w < words; w++) {
            same += Long.bitCount(~(pb[off + w] ^ qb[w]));
          }
          if (filter == null || (candidates.accepts(same) && filter.test(base + at))) {
            candidates.offer(base + at, same);
          }
        }
      }
    }
    return candidates;
  }

  /**
   * Keeps only the codes of slots {@code keep} (ascending), which become slots 0, 1, ...: written
   * into new pages, sized for them alone.
   */
  void compact(int[] keep) {
    int live = keep.length;
    byte[][] oldCodes = codes;
    float[][] oldScales = scales;
    long[][] oldBits = bits;
    codes = new byte[0][];
    scales = new float[0][];
    bits = new long[0][];
    pages = 0;
    capacity = 0;
    ensureCapacity(live, live);
    for (int j = 0; j < live; j++) {
      int from = keep[j];
      int fp = from >>> SHIFT;
      int fa = from & (PAGE - 1);
      int tp = j >>> SHIFT;
      int ta = j & (PAGE - 1);
      if (encoding == VectorEncoding.INT8) {
        System.arraycopy(oldCodes[fp], fa * dim, codes[tp], ta * dim, dim);
        scales[tp][ta] = oldScales[fp][fa];
      } else {
        System.arraycopy(oldBits[fp], fa * words, bits[tp], ta * words, words);
      }
    }
  }

  /**
   * Makes room for {@code n} slots: the first page doubles up to {@link QuantizedVectorIndex#PAGE}
   * slots, and past it whole pages are added. {@code live}, the index's live vectors, is for the
   * error when no more fit.
   */
  void ensureCapacity(int n, int live) {
    while (n > capacity) {
      int width = encoding == VectorEncoding.INT8 ? dim : words;
      if (capacity < PAGE) {
        int cap =
            Math.min(
                PAGE,
                HeapArrays.grownSlots(
                    n, capacity, width, "live vectors=" + live + ", dimension=" + dim));
        if (pages == 0) {
          addPage();
        }
        if (encoding == VectorEncoding.INT8) {
          codes[0] = Arrays.copyOf(codes[0], cap * dim);
          scales[0] = Arrays.copyOf(scales[0], cap);
        } else {
          bits[0] = Arrays.copyOf(bits[0], cap * words);
        }
        capacity = cap;
      } else {
        if ((long) capacity + PAGE > Integer.MAX_VALUE) {
          throw new IllegalStateException(
              "QuantizedVectorIndex is full: "
                  + capacity
                  + " slots, the most an int ordinal allows; live vectors="
                  + live
                  + ", dimension="
                  + dim);
        }
        addPage();
        int p = pages - 1;
        if (encoding == VectorEncoding.INT8) {
          codes[p] = new byte[PAGE * dim];
          scales[p] = new float[PAGE];
        } else {
          bits[p] = new long[PAGE * words];
        }
        capacity += PAGE;
      }
    }
  }

  private void addPage() {
    int p = pages++;
    if (encoding == VectorEncoding.INT8) {
      codes = Arrays.copyOf(codes, p + 1);
      scales = Arrays.copyOf(scales, p + 1);
      codes[p] = new byte[0];
      scales[p] = new float[0];
    } else {
      bits = Arrays.copyOf(bits, p + 1);
      bits[p] = new long[0];
    }
  }

  /**
   * Heap bytes, as allocated rather than as used: the pages of codes and scales (or bits) with
   * their unused slots, and the page tables.
   */
  long memoryBytes() {
    long bytes = 0;
    for (int p = 0; p < pages; p++) {
      bytes += encoding == VectorEncoding.INT8 ? HeapArrays.arrayBytes(codes[p].length, 1) : 0;
      bytes += encoding == VectorEncoding.INT8 ? HeapArrays.arrayBytes(scales[p].length, 4) : 0;
      bytes += encoding == VectorEncoding.BINARY ? HeapArrays.arrayBytes(bits[p].length, 8) : 0;
    }
    return bytes
        + HeapArrays.arrayBytes(codes.length, 4)
        + HeapArrays.arrayBytes(scales.length, 4)
        + HeapArrays.arrayBytes(bits.length, 4);
  }

  /** Bytes per slot of the codes: int8 codes and a scale, or the sign bits' words. */
  double bytesPerVector() {
    return encoding == VectorEncoding.INT8 ? dim + 4 : words * 8.0;
  }
}
