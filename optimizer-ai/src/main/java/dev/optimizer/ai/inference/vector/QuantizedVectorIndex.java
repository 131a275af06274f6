package dev.optimizer.ai.inference.vector;

import dev.optimizer.api.internal.Checks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

/**
 * Nearest-neighbour search over embeddings by cosine similarity, two passes: a scan of quantized
 * vectors ({@link VectorEncoding#INT8}, or {@link VectorEncoding#BINARY}) picks {@code k *
 * oversample} candidates, and those are rescored exactly with the full-precision vectors. The
 * quantized pass is cheap in memory (int8: 1 byte per dimension plus a 4-byte scale, about 26% of
 * float32 for 384 dimensions, before the ids); the rescoring makes the final order and scores
 * exact.
 *
 * <pre>{@code
 * QuantizedVectorIndex index = QuantizedVectorIndex.builder(384).exactVectorsFile(dir.resolve("v.f32")).build();
 * index.add("q1", embedding);
 * List<QuantizedVectorIndex.Match> top = index.search(query, 10);
 * }</pre>
 *
 * <p>Vectors are normalised when added and queried, so scores are cosine similarities. The
 * full-precision vectors live in the heap by default, or in a file ({@link
 * Builder#exactVectorsFile}) from which only candidates are read: then the heap holds the codes and
 * ids alone. Ids are kept as their characters' bytes (one a character for Latin-1, else two) in
 * pages, with about 11 bytes more per id for where it ends and its lookup: no String per id; or,
 * for a caller that holds its ids anyway ({@link Builder#sharedIds()}), as the Strings it gave, so
 * that each id is held once. {@link #memoryBytes()} and {@link #bytesPerVector()} report what is
 * held. Adding an id again replaces its vector. Replaced and removed vectors are only marked at
 * first; once these dead slots outnumber the live ones (and number at least {@value
 * #MIN_DEAD_SLOTS}), the index rewrites its slots without them, so churn does not grow memory. Used
 * by the semantic cache and by {@link QuantizedEmbeddingStore}, whose per-entry length and value
 * the index keeps with the slot (nothing for an index not used by a store). Thread-safe (searches
 * run in parallel; adds and removes exclude them briefly).
 */
public final class QuantizedVectorIndex implements AutoCloseable {

  /** Dead slots tolerated before the index compacts, however few the live ones. */
  static final int MIN_DEAD_SLOTS = 64;

  /**
   * Slots are held in pages of {@code PAGE} vectors, in each of their columns ({@link
   * QuantizedCodes}, {@link IdTable}, {@link ExactVectors}, {@link SlotValues}), so that growth
   * allocates one more page rather than copying into an array twice the size: the slack is at most
   * one page (plus, below one page, up to twice the slots in use), not up to half of everything
   * held.
   */
  static final int PAGE_SHIFT = 10;

  static final int PAGE = 1 << PAGE_SHIFT;

  private final int dim;
  private final int oversample;
  private final ExactVectors exact;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  // Guarded by lock. The slots' columns (codes, ids, values; exact, above) are each not
  // thread-safe on their own: they change together under the write lock, so that a search under
  // the read lock sees them agree. Slot s lives in page s >>> PAGE_SHIFT at s & (PAGE - 1).
  private final QuantizedCodes codes; // what the first pass of a search scans
  // The id of every slot, as bytes, and the lookup from a live id to its slot.
  private final IdTable ids;
  private final BitSet deleted = new BitSet();
  private int size; // slots used, live and dead
  // What a QuantizedEmbeddingStore keeps per entry (length, value), by slot; null until a store
  // adds its first entry, so an index used on its own pays nothing for it.
  private SlotValues slotValues;

  private QuantizedVectorIndex(Builder b) {
    this.dim = b.dimension;
    this.oversample =
        b.oversample != null ? b.oversample : (b.encoding == VectorEncoding.INT8 ? 10 : 40);
    this.codes = new QuantizedCodes(dim, b.encoding);
    this.exact = b.file != null ? ExactVectors.file(b.file, dim) : ExactVectors.inMemory(dim);
    this.ids = new IdTable(b.sharedIds);
  }

  /** Starts a builder for vectors of {@code dimension} floats, in {@code [1, 65536]}. */
  public static Builder builder(int dimension) {
    return new Builder(Checks.inRange("dimension", dimension, 1, 65_536));
  }

  /** One search result: the id, and the exact cosine similarity to the query. */
  public record Match(String id, double score) {}

  /**
   * Adds (or replaces) the vector of {@code id}.
   *
   * @throws IllegalArgumentException if the vector has the wrong length, is zero, or is not finite
   */
  public void add(String id, float[] vector) {
    add(id, vector, 0, null);
  }

  /**
   * Adds (or replaces) the vector of {@code id}, recording with its slot, when {@code norm} is not
   * 0, a {@link QuantizedEmbeddingStore}'s entry: the embedding's length and its value (the slot's
   * and these change together, under the write lock). A norm of 0: a plain entry, as {@link
   * #add(String, float[])}.
   */
  void add(String id, float[] vector, float norm, Object value) {
    Checks.notNull("id", id);
    float[] v = VectorCodes.normalized(vector, dim);
    lock.writeLock().lock();
    try {
      int cell = ids.find(id);
      int ord = size;
      codes.ensureCapacity(ord + 1, ids.live());
      // The full vector first: it is the write that can fail (a file), and until it has
      // succeeded the old vector, if any, stays live.
      exact.append(v);
      codes.encode(ord, v);
      ids.append(ord, id);
      size++;
      if (norm != 0) {
        if (slotValues == null) {
          slotValues = new SlotValues();
        }
        slotValues.set(ord, norm, value);
      }
      if (cell >= 0) {
        int old = ids.slot(cell);
        ids.repoint(cell, ord);
        kill(old);
        compactIfSparse();
      } else {
        ids.insert(-cell - 1, ord);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Removes {@code id}; returns whether it was present. */
  public boolean remove(String id) {
    lock.writeLock().lock();
    try {
      int cell = id == null ? -1 : ids.find(id);
      if (cell < 0) {
        return false;
      }
      int ord = ids.slot(cell);
      ids.delete(cell);
      kill(ord);
      compactIfSparse();
      return true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Returns the number of live vectors. */
  public int size() {
    lock.readLock().lock();
    try {
      return ids.live();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Returns the stored (normalised, full-precision) vector of {@code id}, or {@code null}. */
  public float[] vector(String id) {
    lock.readLock().lock();
    try {
      int cell = ids.find(Checks.notNull("id", id));
      if (cell < 0) {
        return null;
      }
      float[] v = new float[dim];
      exact.read(ids.slot(cell), v);
      return v;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Returns the vectors' dimension. */
  public int dimension() {
    return dim;
  }

  /**
   * Returns the {@code k} vectors most similar to {@code query}, best first, with exact scores.
   *
   * @throws IllegalArgumentException if {@code k} is not in {@code [1, 10000]} or the query is bad
   */
  public List<Match> search(float[] query, int k) {
    return search(query, k, -1.0);
  }

  /** Like {@link #search(float[], int)}, keeping only matches scoring at least {@code minScore}. */
  public List<Match> search(float[] query, int k, double minScore) {
    return matches(query, k, minScore, null);
  }

  /**
   * Like {@link #search(float[], int, double)}, among the ids {@code filter} accepts only: the
   * result is the best {@code k} of those, not the best {@code k} overall filtered afterwards
   * (which could return fewer). The filter is asked during the quantized scan, only for an entry
   * whose approximate score would enter the candidates, so a filter that matches few entries still
   * yields {@code k} results when there are that many. It runs under the index's read lock: it must
   * be fast and must not call back into this index's writers ({@link #add}, {@link #remove}). The
   * id it is given is equal to the one added, not the same object (the index keeps ids as bytes),
   * unless the index was built with {@link Builder#sharedIds()}.
   *
   * @throws IllegalArgumentException if {@code k} is not in {@code [1, 10000]} or the query is bad
   * @throws NullPointerException if {@code filter} is null
   */
  public List<Match> search(float[] query, int k, double minScore, Predicate<String> filter) {
    Checks.notNull("filter", filter);
    return matches(query, k, minScore, ord -> filter.test(ids.get(ord)));
  }

  private List<Match> matches(float[] query, int k, double minScore, IntPredicate filter) {
    Checks.inRange("k", k, 1, 10_000);
    float[] q = VectorCodes.normalized(query, dim);
    lock.readLock().lock();
    try {
      TopK best = scan(q, k, filter);
      List<Match> out = new ArrayList<>(best.size);
      for (int i : best.sortedIndices()) {
        if (best.scores[i] >= minScore) {
          out.add(new Match(ids.get(best.ordinals[i]), best.scores[i]));
        }
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * A {@link QuantizedEmbeddingStore}'s entry found by {@link #searchEntries}: its id, exact
   * cosine, embedding (the unit vector scaled back by the length the store recorded; the unit
   * vector for a plain entry) and value (null for a plain entry), all read from one slot under one
   * read lock.
   */
  record Found(String id, double score, float[] vector, Object value) {}

  /**
   * Like {@link #search(float[], int, double)}, for a {@link QuantizedEmbeddingStore}: each match
   * carries its slot's embedding and value. {@code valueFilter} (null: every entry) is asked about
   * the values of the store's entries only, as {@link #search(float[], int, double, Predicate)}
   * asks about ids: under the read lock, during the scan; a plain entry never passes it.
   */
  List<Found> searchEntries(float[] query, int k, double minScore, Predicate<Object> valueFilter) {
    Checks.inRange("k", k, 1, 10_000);
    float[] q = VectorCodes.normalized(query, dim);
    lock.readLock().lock();
    try {
      SlotValues sv = slotValues;
      IntPredicate filter =
          valueFilter == null
              ? null
              : ord -> sv != null && sv.owned(ord) && valueFilter.test(sv.value(ord));
      TopK best = scan(q, k, filter);
      List<Found> out = new ArrayList<>(best.size);
      for (int i : best.sortedIndices()) {
        if (best.scores[i] >= minScore) {
          int ord = best.ordinals[i];
          float[] v = new float[dim];
          exact.read(ord, v);
          float norm = sv == null ? 0 : sv.norm(ord);
          if (norm != 0) {
            for (int j = 0; j < dim; j++) {
              v[j] *= norm;
            }
          }
          out.add(new Found(ids.get(ord), best.scores[i], v, sv == null ? null : sv.value(ord)));
        }
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The ids of the store's entries whose values {@code valueTest} accepts; under the read lock. */
  List<String> storeIds(Predicate<Object> valueTest) {
    lock.readLock().lock();
    try {
      List<String> out = new ArrayList<>();
      if (slotValues == null) {
        return out;
      }
      for (int ord = deleted.nextClearBit(0); ord < size; ord = deleted.nextClearBit(ord + 1)) {
        if (slotValues.owned(ord) && valueTest.test(slotValues.value(ord))) {
          out.add(ids.get(ord));
        }
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Removes {@code id} if it is a store's entry whose value {@code valueTest} accepts, judged under
   * the write lock: an entry replaced since it was listed is judged on its new value, and a plain
   * entry put in its place is left alone. Returns whether it was removed.
   */
  boolean removeStoreEntry(String id, Predicate<Object> valueTest) {
    lock.writeLock().lock();
    try {
      int cell = ids.find(id);
      if (cell < 0) {
        return false;
      }
      int ord = ids.slot(cell);
      if (slotValues == null || !slotValues.owned(ord) || !valueTest.test(slotValues.value(ord))) {
        return false;
      }
      ids.delete(cell);
      kill(ord);
      compactIfSparse();
      return true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Whether {@code id} is live and a store's entry (for tests). */
  boolean isStoreEntry(String id) {
    lock.readLock().lock();
    try {
      int cell = ids.find(id);
      return cell >= 0 && slotValues != null && slotValues.owned(ids.slot(cell));
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The best {@code k} live slots for the normalised query {@code q}: {@code k * oversample}
   * candidates by the quantized scan ({@link QuantizedCodes#candidates}), rescored exactly with the
   * full vectors; {@code filter} (null: every live slot) is asked only about a slot whose
   * approximate score would enter the candidates. Under the read lock.
   */
  private TopK scan(float[] q, int k, IntPredicate filter) {
    int m = Math.min(size, k * oversample);
    if (m == 0) {
      return new TopK(0);
    }
    TopK candidates = codes.candidates(q, m, size, deleted, filter);
    TopK best = new TopK(k);
    float[] v = new float[dim];
    for (int c = 0; c < candidates.size; c++) {
      int ord = candidates.ordinals[c];
      exact.read(ord, v);
      double dot = 0;
      for (int j = 0; j < dim; j++) {
        dot += v[j] * q[j];
      }
      best.offer(ord, dot);
    }
    return best;
  }

  /**
   * Returns the heap bytes the index holds, as allocated rather than as used: the pages of codes
   * and scales (or bits) with their unused slots, the ids (their bytes in pages, where each slot's
   * id ends, ids held in arrays of their own, the lookup table), the map of dead slots, and the
   * full vectors where they are kept in the heap, and what a {@link QuantizedEmbeddingStore} keeps
   * with its entries' slots (the embedding's length, and the embedded value's reference in a page
   * where there are values; the values themselves are the application's). Ids are counted as the
   * index holds them: a copy of their characters, not the caller's Strings; with {@link
   * Builder#sharedIds()}, a reference to the caller's String (4 bytes), whose characters the caller
   * holds and counts. Object headers of the index itself are not counted.
   */
  public long memoryBytes() {
    lock.readLock().lock();
    try {
      return codes.memoryBytes()
          + ids.memoryBytes()
          + HeapArrays.arrayBytes(deleted.size() / 64, 8)
          + (slotValues == null ? 0 : slotValues.memoryBytes())
          + exact.heapBytes();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Returns the bytes per vector of the quantized pass (codes and scale; ids not counted). */
  public double bytesPerVector() {
    return codes.bytesPerVector();
  }

  /** Returns the bytes float32 vectors would need: {@code 4 * dimension * size}. */
  public long float32Bytes() {
    lock.readLock().lock();
    try {
      return 4L * dim * size;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Closes the file of full-precision vectors, if any. */
  @Override
  public void close() {
    exact.close();
  }

  /** Marks slot {@code ord} dead, and lets its id go where it has an array of its own. */
  private void kill(int ord) {
    deleted.set(ord);
    ids.kill(ord);
    if (slotValues != null) {
      slotValues.clear(ord);
    }
  }

  /**
   * Rewrites the slots without the dead ones (replaced or removed vectors) once these outnumber the
   * live ones and are at least {@link #MIN_DEAD_SLOTS}: each compaction costs the live slots, and
   * at least as many dead ones were added since the last, so churn costs O(1) slots per write and
   * memory stays within about twice what the live vectors need. Under the write lock.
   */
  private void compactIfSparse() {
    int live = ids.live();
    int dead = size - live;
    if (dead <= live || dead < MIN_DEAD_SLOTS) {
      return;
    }
    int[] keep = new int[live];
    int k = 0;
    for (int i = deleted.nextClearBit(0); i < size; i = deleted.nextClearBit(i + 1)) {
      keep[k++] = i;
    }
    // Every slot moves, in each column: slot keep[j] becomes slot j.
    codes.compact(keep);
    exact.compact(keep);
    // The ids' lookup is built again, now at slots 0..live-1.
    ids.compact(keep);
    if (slotValues != null) {
      slotValues = slotValues.compact(keep);
    }
    deleted.clear();
    size = live;
  }

  /**
   * Settings of a {@link QuantizedVectorIndex}; each is checked when given.
   *
   * <table>
   *   <caption>Settings</caption>
   *   <tr><th>setting</th><th>default</th><th>range</th></tr>
   *   <tr><td>encoding</td><td>INT8</td><td>INT8, BINARY</td></tr>
   *   <tr><td>oversample</td><td>10 (INT8), 40 (BINARY)</td><td>[1, 1000] candidates per result</td></tr>
   *   <tr><td>exactVectorsFile</td><td>none: in the heap</td><td>a file the index owns</td></tr>
   *   <tr><td>sharedIds</td><td>off: ids copied as bytes</td><td>on: the caller's Strings held</td></tr>
   * </table>
   */
  public static final class Builder {
    private final int dimension;
    private VectorEncoding encoding = VectorEncoding.INT8;
    private Integer oversample;
    private Path file;
    private boolean sharedIds;

    private Builder(int dimension) {
      this.dimension = dimension;
    }

    /** Sets the encoding of the first pass; default {@link VectorEncoding#INT8}. */
    public Builder encoding(VectorEncoding encoding) {
      this.encoding = Checks.notNull("encoding", encoding);
      return this;
    }

    /** Sets how many candidates per wanted result are rescored exactly, in {@code [1, 1000]}. */
    public Builder oversample(int oversample) {
      this.oversample = Checks.inRange("oversample", oversample, 1, 1000);
      return this;
    }

    /**
     * Keeps the full-precision vectors in {@code file} (created or truncated; the index owns it)
     * instead of the heap; only each query's candidates are read back.
     */
    public Builder exactVectorsFile(Path file) {
      this.file = Checks.notNull("exactVectorsFile", file);
      return this;
    }

    /**
     * Keeps each id as the String given to {@link #add}, by reference, instead of a copy of its
     * characters: for a caller that holds its ids anyway (a map keyed by them), so that each id is
     * held once rather than twice. An id then costs a 4-byte reference plus its lookup instead of
     * its characters' bytes plus about 11, and searches and filters see the very String added.
     * Default: off, the index keeps its own copy (the fewest bytes where the caller does not keep
     * its ids: no String object per id).
     */
    public Builder sharedIds() {
      this.sharedIds = true;
      return this;
    }

    /** Builds the index. */
    public QuantizedVectorIndex build() {
      return new QuantizedVectorIndex(this);
    }
  }
}
