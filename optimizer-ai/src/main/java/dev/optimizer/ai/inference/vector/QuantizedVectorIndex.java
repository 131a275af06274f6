package dev.optimizer.ai.inference.vector;

import dev.optimizer.api.internal.Checks;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;

/**
 * Nearest-neighbour search over embeddings by cosine similarity, two passes: a scan of quantized
 * vectors ({@link VectorEncoding#INT8}, or {@link VectorEncoding#BINARY}) picks {@code k *
 * oversample} candidates, and those are rescored exactly with the full-precision vectors. The
 * quantized pass is cheap in memory (int8: 1 byte per dimension plus a 4-byte scale, about 26% of
 * float32 for 384 dimensions); the rescoring makes the final order and scores exact.
 *
 * <pre>{@code
 * QuantizedVectorIndex index = QuantizedVectorIndex.builder(384).exactVectorsFile(dir.resolve("v.f32")).build();
 * index.add("q1", embedding);
 * List<QuantizedVectorIndex.Match> top = index.search(query, 10);
 * }</pre>
 *
 * <p>Vectors are normalised when added and queried, so scores are cosine similarities. The
 * full-precision vectors live in the heap by default, or in a file ({@link
 * Builder#exactVectorsFile}) from which only candidates are read: then the heap holds the codes
 * alone. {@link #memoryBytes()} and {@link #bytesPerVector()} report what is held. Adding an id
 * again replaces its vector. Replaced and removed vectors are only marked at first; once these dead
 * slots outnumber the live ones (and number at least {@value #MIN_DEAD_SLOTS}), the index rewrites
 * its slots without them, so churn does not grow memory. Used by the semantic cache and by {@link
 * QuantizedEmbeddingStore}. Thread-safe (searches run in parallel; adds and removes exclude them
 * briefly).
 */
public final class QuantizedVectorIndex implements AutoCloseable {

  /** Dead slots tolerated before the index compacts, however few the live ones. */
  static final int MIN_DEAD_SLOTS = 64;

  private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

  private final int dim;
  private final VectorEncoding encoding;
  private final int oversample;
  private final int words;
  private final ExactVectors exact;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

  // Guarded by lock.
  private byte[] codes = new byte[0];
  private float[] scales = new float[0];
  private long[] bits = new long[0];
  private final List<String> ids = new ArrayList<>();
  private final Map<String, Integer> ordinals = new HashMap<>();
  private final BitSet deleted = new BitSet();
  private int size;

  private QuantizedVectorIndex(Builder b) {
    this.dim = b.dimension;
    this.encoding = b.encoding;
    this.oversample =
        b.oversample != null ? b.oversample : (encoding == VectorEncoding.INT8 ? 10 : 40);
    this.words = (dim + 63) / 64;
    this.exact = b.file != null ? ExactVectors.file(b.file, dim) : ExactVectors.inMemory(dim);
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
    Checks.notNull("id", id);
    float[] v = normalized(vector);
    lock.writeLock().lock();
    try {
      Integer old = ordinals.get(id);
      if (old != null) {
        deleted.set(old);
      }
      int ord = size;
      ensureCapacity(ord + 1);
      if (encoding == VectorEncoding.INT8) {
        scales[ord] = encodeInt8(v, codes, ord * dim);
      } else {
        encodeBits(v, bits, ord * words);
      }
      exact.append(v);
      ids.add(id);
      ordinals.put(id, ord);
      size++;
      if (old != null) {
        compactIfSparse();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Removes {@code id}; returns whether it was present. */
  public boolean remove(String id) {
    lock.writeLock().lock();
    try {
      Integer ord = ordinals.remove(id);
      if (ord == null) {
        return false;
      }
      deleted.set(ord);
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
      return ordinals.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Returns the stored (normalised, full-precision) vector of {@code id}, or {@code null}. */
  public float[] vector(String id) {
    lock.readLock().lock();
    try {
      Integer ord = ordinals.get(Checks.notNull("id", id));
      if (ord == null) {
        return null;
      }
      float[] v = new float[dim];
      exact.read(ord, v);
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
    return scan(query, k, minScore, null);
  }

  /**
   * Like {@link #search(float[], int, double)}, among the ids {@code filter} accepts only: the
   * result is the best {@code k} of those, not the best {@code k} overall filtered afterwards
   * (which could return fewer). The filter is asked during the quantized scan, only for an entry
   * whose approximate score would enter the candidates, so a filter that matches few entries still
   * yields {@code k} results when there are that many. It runs under the index's read lock: it must
   * be fast and must not call back into this index's writers ({@link #add}, {@link #remove}).
   *
   * @throws IllegalArgumentException if {@code k} is not in {@code [1, 10000]} or the query is bad
   * @throws NullPointerException if {@code filter} is null
   */
  public List<Match> search(float[] query, int k, double minScore, Predicate<String> filter) {
    return scan(query, k, minScore, Checks.notNull("filter", filter));
  }

  // filter == null: every live entry. The null test is loop-invariant, so the unfiltered scan
  // costs what it did before filters existed.
  private List<Match> scan(float[] query, int k, double minScore, Predicate<String> filter) {
    Checks.inRange("k", k, 1, 10_000);
    float[] q = normalized(query);
    lock.readLock().lock();
    try {
      int m = Math.min(size, k * oversample);
      if (m == 0) {
        return List.of();
      }
      TopK candidates = new TopK(m);
      if (encoding == VectorEncoding.INT8) {
        byte[] qc = new byte[dim];
        float qs = encodeInt8(q, qc, 0);
        for (int i = 0; i < size; i++) {
          if (deleted.get(i)) {
            continue;
          }
          int off = i * dim; // < codes.length, checked when it grew
          int dot = 0;
          for (int j = 0; j < dim; j++) {
            dot += codes[off + j] * qc[j];
          }
          double score = dot * scales[i] * qs;
          if (filter == null || (candidates.accepts(score) && filter.test(ids.get(i)))) {
            candidates.offer(i, score);
          }
        }
      } else {
        long[] qb = new long[words];
        encodeBits(q, qb, 0);
        for (int i = 0; i < size; i++) {
          if (deleted.get(i)) {
            continue;
          }
          int off = i * words;
          int same = 0;
          for (int w = 0; w < words; w++) {
            same += Long.bitCount(~(bits[off + w] ^ qb[w]));
          }
          if (filter == null || (candidates.accepts(same) && filter.test(ids.get(i)))) {
            candidates.offer(i, same);
          }
        }
      }
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

  /** Returns the heap bytes the index holds: codes, scales, and full vectors kept in the heap. */
  public long memoryBytes() {
    lock.readLock().lock();
    try {
      return quantizedBytes() + exact.heapBytes();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Returns the bytes per vector of the quantized pass (codes and scale; ids not counted). */
  public double bytesPerVector() {
    return encoding == VectorEncoding.INT8 ? dim + 4 : words * 8.0;
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

  private long quantizedBytes() {
    return encoding == VectorEncoding.INT8 ? (long) size * (dim + 4) : (long) size * words * 8;
  }

  /**
   * Rewrites the slots without the dead ones (replaced or removed vectors) once these outnumber the
   * live ones and are at least {@link #MIN_DEAD_SLOTS}: each compaction costs the live slots, and
   * at least as many dead ones were added since the last, so churn costs O(1) slots per write and
   * memory stays within about twice what the live vectors need. Under the write lock.
   */
  private void compactIfSparse() {
    int live = ordinals.size();
    int dead = size - live;
    if (dead <= live || dead < MIN_DEAD_SLOTS) {
      return;
    }
    int[] keep = new int[live];
    int k = 0;
    for (int i = deleted.nextClearBit(0); i < size; i = deleted.nextClearBit(i + 1)) {
      keep[k++] = i;
    }
    int cap = grownSlots(live, live, encoding == VectorEncoding.INT8 ? dim : words);
    if (encoding == VectorEncoding.INT8) {
      byte[] newCodes = new byte[cap * dim];
      float[] newScales = new float[cap];
      for (int j = 0; j < live; j++) {
        System.arraycopy(codes, keep[j] * dim, newCodes, j * dim, dim);
        newScales[j] = scales[keep[j]];
      }
      codes = newCodes;
      scales = newScales;
    } else {
      long[] newBits = new long[cap * words];
      for (int j = 0; j < live; j++) {
        System.arraycopy(bits, keep[j] * words, newBits, j * words, words);
      }
      bits = newBits;
    }
    exact.compact(keep);
    List<String> liveIds = new ArrayList<>(live);
    for (int j = 0; j < live; j++) {
      String id = ids.get(keep[j]);
      liveIds.add(id);
      ordinals.put(id, j);
    }
    ids.clear();
    ids.addAll(liveIds);
    deleted.clear();
    size = live;
  }

  private void ensureCapacity(int n) {
    if (encoding == VectorEncoding.INT8) {
      if (n > scales.length) {
        int cap = grownSlots(n, scales.length, dim);
        codes = Arrays.copyOf(codes, cap * dim);
        scales = Arrays.copyOf(scales, cap);
      }
    } else if ((long) n * words > bits.length) {
      bits = Arrays.copyOf(bits, grownSlots(n, bits.length / words, words) * words);
    }
  }

  private int grownSlots(int n, int current, int width) {
    return grownSlots(n, current, width, "live vectors=" + ordinals.size() + ", dimension=" + dim);
  }

  /**
   * The slots to grow to for {@code n} vectors of {@code width} array elements each: twice the
   * {@code current} ones, as far as a Java array allows, or a clear error when even {@code n} do
   * not fit (where {@code slots * width} used to overflow an int).
   */
  static int grownSlots(int n, int current, int width, String state) {
    int maxSlots = MAX_ARRAY / width;
    if (n > maxSlots) {
      throw new IllegalStateException(
          "QuantizedVectorIndex is full: "
              + n
              + " slots of "
              + width
              + " elements exceed the largest Java array ("
              + MAX_ARRAY
              + " elements); "
              + state);
    }
    return (int) Math.min(maxSlots, Math.max(Math.max(64L, n), 2L * current));
  }

  private float[] normalized(float[] vector) {
    Checks.notNull("vector", vector);
    if (vector.length != dim) {
      throw new IllegalArgumentException(
          "vector must have " + dim + " dimensions, but had " + vector.length);
    }
    double sum = 0;
    for (float x : vector) {
      if (!Float.isFinite(x)) {
        throw new IllegalArgumentException("vector must be finite, but held " + x);
      }
      sum += (double) x * x;
    }
    if (sum == 0) {
      throw new IllegalArgumentException("vector must not be zero: it has no direction");
    }
    float inv = (float) (1 / Math.sqrt(sum));
    float[] v = new float[dim];
    for (int j = 0; j < dim; j++) {
      v[j] = vector[j] * inv;
    }
    return v;
  }

  /** Symmetric int8 codes of {@code v} into {@code out}; returns the scale (max|x| / 127). */
  static float encodeInt8(float[] v, byte[] out, int off) {
    float max = 0;
    for (float x : v) {
      max = Math.max(max, Math.abs(x));
    }
    float scale = max / 127f;
    float inv = 1 / scale;
    for (int j = 0; j < v.length; j++) {
      out[off + j] = (byte) Math.round(v[j] * inv);
    }
    return scale;
  }

  private void encodeBits(float[] v, long[] out, int off) {
    for (int j = 0; j < dim; j++) {
      if (v[j] > 0) {
        out[off + j / 64] |= 1L << (j % 64);
      }
    }
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
   * </table>
   */
  public static final class Builder {
    private final int dimension;
    private VectorEncoding encoding = VectorEncoding.INT8;
    private Integer oversample;
    private Path file;

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

    /** Builds the index. */
    public QuantizedVectorIndex build() {
      return new QuantizedVectorIndex(this);
    }
  }
}
