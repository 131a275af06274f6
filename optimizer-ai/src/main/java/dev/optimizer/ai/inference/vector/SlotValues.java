package dev.optimizer.ai.inference.vector;

import java.util.Arrays;

/**
 * What a {@link QuantizedEmbeddingStore} keeps for each of its entries, held by the index beside
 * the slot's codes so that it moves, dies and is compacted with the slot: the embedding's length
 * (the index keeps the unit vector) and the embedded value. A length of 0 marks a slot the store
 * did not add (an entry put into the index directly): a store's embedding is never zero, and a
 * float square root of a sum of nonzero finite squares never rounds to 0.
 *
 * <p>Primitive pages of {@link QuantizedVectorIndex#PAGE} slots, no object per entry: 4 bytes a
 * slot for the length, and 4 more for the value's reference only in a page where some entry has a
 * value (a page of values is allocated at its first non-null value), so a store of bare embeddings
 * pays the length alone. A page is allocated at its first store entry; the first grows by doubling
 * from 64 slots, as the index's does. Not thread-safe: the index guards it with its lock.
 */
final class SlotValues {

  private static final int SHIFT = QuantizedVectorIndex.PAGE_SHIFT;
  private static final int PAGE = QuantizedVectorIndex.PAGE;

  private float[][] norms = new float[0][]; // per page; null: no store entry in it yet
  private Object[][] values = new Object[0][]; // per page; null: no value in it yet

  /** Records the store's entry at slot {@code ord}: its embedding's length (> 0) and value. */
  void set(int ord, float norm, Object value) {
    int p = ord >>> SHIFT;
    int at = ord & (PAGE - 1);
    if (p >= norms.length) {
      norms = Arrays.copyOf(norms, p + 1);
      values = Arrays.copyOf(values, p + 1);
    }
    norms[p] = room(norms[p], at);
    norms[p][at] = norm;
    if (value != null || (values[p] != null && at < values[p].length)) {
      values[p] = room(values[p], at);
      values[p][at] = value;
    }
  }

  private static float[] room(float[] page, int at) {
    if (page == null) {
      return new float[slots(at, 0)];
    }
    return at < page.length ? page : Arrays.copyOf(page, slots(at, page.length));
  }

  private static Object[] room(Object[] page, int at) {
    if (page == null) {
      return new Object[slots(at, 0)];
    }
    return at < page.length ? page : Arrays.copyOf(page, slots(at, page.length));
  }

  /** A page's length to hold slot {@code at}: doubling from 64, at most {@link #PAGE}. */
  private static int slots(int at, int current) {
    return Math.min(PAGE, Math.max(Math.max(64, at + 1), 2 * current));
  }

  /** The length recorded at slot {@code ord}, or 0 if the store did not add it. */
  float norm(int ord) {
    int p = ord >>> SHIFT;
    int at = ord & (PAGE - 1);
    float[] page = p < norms.length ? norms[p] : null;
    return page != null && at < page.length ? page[at] : 0;
  }

  /** Whether slot {@code ord} is a store's entry. */
  boolean owned(int ord) {
    return norm(ord) != 0;
  }

  /** The value recorded at slot {@code ord}, or null. */
  Object value(int ord) {
    int p = ord >>> SHIFT;
    int at = ord & (PAGE - 1);
    Object[] page = p < values.length ? values[p] : null;
    return page != null && at < page.length ? page[at] : null;
  }

  /** Forgets slot {@code ord} (it died), letting its value go at once. */
  void clear(int ord) {
    int p = ord >>> SHIFT;
    int at = ord & (PAGE - 1);
    if (p < norms.length && norms[p] != null && at < norms[p].length) {
      norms[p][at] = 0;
    }
    if (p < values.length && values[p] != null && at < values[p].length) {
      values[p][at] = null;
    }
  }

  /** Keeps only slots {@code keep} (ascending), which become slots 0, 1, ...: a new table. */
  SlotValues compact(int[] keep) {
    SlotValues out = new SlotValues();
    for (int j = 0; j < keep.length; j++) {
      float norm = norm(keep[j]);
      if (norm != 0) {
        out.set(j, norm, value(keep[j]));
      }
    }
    return out;
  }

  /** Heap bytes, as allocated: the page tables and the pages of lengths and of references. */
  long memoryBytes() {
    long bytes = HeapArrays.arrayBytes(norms.length, 4) + HeapArrays.arrayBytes(values.length, 4);
    for (float[] page : norms) {
      bytes += page == null ? 0 : HeapArrays.arrayBytes(page.length, 4);
    }
    for (Object[] page : values) {
      bytes += page == null ? 0 : HeapArrays.arrayBytes(page.length, 4);
    }
    return bytes;
  }
}
