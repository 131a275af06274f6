package dev.optimizer.ai.inference.vector;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingSearchResult;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.filter.Filter;
import dev.optimizer.api.internal.Checks;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAccumulator;

/**
 * A LangChain4j {@link EmbeddingStore} over a {@link QuantizedVectorIndex}: int8 (or binary) scan,
 * exact rescoring. Scores are LangChain4j relevance scores, {@code (cosine + 1) / 2}, as {@code
 * InMemoryEmbeddingStore} reports them.
 *
 * <p>Metadata filters ({@link EmbeddingSearchRequest#filter()}, {@link #removeAll(Filter)}) follow
 * LangChain4j's {@code InMemoryEmbeddingStore}: a filter is tested against the {@link
 * TextSegment#metadata() metadata} of the entry's {@code TextSegment}, and an entry stored without
 * a {@code TextSegment} (no embedded value, or another type) never matches a filter. A filtered
 * search returns the best {@code maxResults} among the matching entries: the filter is applied
 * inside the index's scan, not to the overall top results afterwards.
 *
 * <p>A match's {@link EmbeddingMatch#embedding() embedding} is the one added, to within float
 * rounding (a few ulps): the index keeps the unit vector and this store its length (4 bytes an
 * entry rather than a second copy of every vector), and scales it back. An entry put into the index
 * directly, not through this store, comes back as the index's unit vector.
 *
 * <p>Adding an id again replaces its embedding and its embedded value. {@link #removeAll()} removes
 * what this store added; entries put into the index directly are left alone. Thread-safe: each
 * write to an id changes the index and the store's values together, so writes racing on one id
 * leave them in step; searches run in parallel with each other and with writes, and a search
 * running alongside a write may see part of it (an entry's new vector before its new embedded
 * value; part of a bulk add or removal).
 *
 * @param <Embedded> what is stored with each embedding, e.g. a {@code TextSegment}
 */
public final class QuantizedEmbeddingStore<Embedded> implements EmbeddingStore<Embedded> {

  private final QuantizedVectorIndex index;
  // Every id this store added, with its embedded value and its embedding's length.
  private final Map<String, Stored> entries = new ConcurrentHashMap<>();
  // The most entries the map has held: its table, which never shrinks, was sized for them.
  private final LongAccumulator peakEntries = new LongAccumulator(Math::max, 0);

  /**
   * What the store keeps beside the index: the embedded value (or null) and the length of the
   * embedding as added, since the index keeps the unit vector. Identity equality, so that a
   * conditional removal never takes an entry that was replaced meanwhile.
   */
  private static final class Stored {
    final Object value;
    final float norm;

    Stored(Object value, float norm) {
      this.value = value;
      this.norm = norm;
    }
  }

  /** A store over {@code index}; the caller keeps ownership of the index. */
  public QuantizedEmbeddingStore(QuantizedVectorIndex index) {
    this.index = Checks.notNull("index", index);
  }

  @Override
  public String add(Embedding embedding) {
    String id = UUID.randomUUID().toString();
    put(id, embedding, null);
    return id;
  }

  @Override
  public void add(String id, Embedding embedding) {
    put(id, embedding, null);
  }

  @Override
  public String add(Embedding embedding, Embedded value) {
    String id = UUID.randomUUID().toString();
    put(id, embedding, value);
    return id;
  }

  @Override
  public List<String> addAll(List<Embedding> embeddings) {
    Checks.notNull("embeddings", embeddings);
    List<String> ids = new ArrayList<>(embeddings.size());
    for (Embedding e : embeddings) {
      ids.add(add(e));
    }
    return ids;
  }

  @Override
  public void addAll(List<String> ids, List<Embedding> embeddings, List<Embedded> values) {
    Checks.notNull("ids", ids);
    Checks.notNull("embeddings", embeddings);
    if (ids.size() != embeddings.size() || (values != null && values.size() != ids.size())) {
      throw new IllegalArgumentException(
          "ids, embeddings and embedded must have the same size, but had "
              + ids.size()
              + ", "
              + embeddings.size()
              + " and "
              + (values == null ? "null" : values.size()));
    }
    for (int i = 0; i < ids.size(); i++) {
      put(ids.get(i), embeddings.get(i), values == null ? null : values.get(i));
    }
  }

  private void put(String id, Embedding embedding, Embedded value) {
    Checks.notNull("id", id);
    float[] vector = Checks.notNull("embedding", embedding).vector();
    Stored stored = new Stored(value, norm(vector));
    // Each write changes the index and the map under the map's lock for the id, so that writes
    // to one id apply to both in the same order; otherwise two racing writes could leave the
    // index with one's vector and the map with the other's value, or one structure without the
    // id. The index first: it checks the vector, and a failure leaves the map as it was. No
    // deadlock: the index never calls into the map while holding its own lock, except the
    // lock-free get of a search's filter.
    entries.compute(
        id,
        (k, old) -> {
          index.add(k, vector);
          return stored;
        });
    peakEntries.accumulate(entries.size());
  }

  private static float norm(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    return (float) Math.sqrt(sum);
  }

  @Override
  public void remove(String id) {
    // Under the id's map lock, as put: see there. Also removes an entry put into the index
    // directly.
    entries.compute(
        Checks.notNull("id", id),
        (k, old) -> {
          index.remove(k);
          return null;
        });
  }

  @Override
  public void removeAll(Collection<String> ids) {
    for (String id : Checks.notNull("ids", ids)) {
      remove(id);
    }
  }

  /**
   * Removes every entry whose {@code TextSegment}'s metadata matches {@code filter}; entries
   * without a {@code TextSegment} are kept.
   *
   * @throws NullPointerException if {@code filter} is null
   */
  @Override
  public void removeAll(Filter filter) {
    Checks.notNull("filter", filter);
    for (String id : entries.keySet()) {
      // Judged and removed under the id's map lock, so that an entry replaced meanwhile is judged
      // on its new value, and its new vector is never taken from the index with the old value.
      entries.computeIfPresent(
          id,
          (k, stored) -> {
            if (!matches(stored, filter)) {
              return stored;
            }
            index.remove(k);
            return null;
          });
    }
  }

  /** Removes every entry this store added, from the store and from the index. */
  @Override
  public void removeAll() {
    for (String id : entries.keySet()) {
      entries.computeIfPresent(
          id,
          (k, stored) -> {
            index.remove(k);
            return null;
          });
    }
  }

  @Override
  public EmbeddingSearchResult<Embedded> search(EmbeddingSearchRequest request) {
    Checks.notNull("request", request);
    float[] query = request.queryEmbedding().vector();
    double minCosine = 2 * request.minScore() - 1;
    Filter filter = request.filter();
    List<QuantizedVectorIndex.Match> found;
    // The entries the filter accepted, so that a match carries the value it was judged on even if
    // a concurrent write replaces or removes the entry before the result is built. Only this
    // thread runs the filter.
    Map<String, Stored> accepted = filter == null ? entries : new HashMap<>();
    if (filter == null) {
      found = index.search(query, request.maxResults(), minCosine);
    } else {
      found =
          index.search(
              query,
              request.maxResults(),
              minCosine,
              id -> {
                Stored stored = entries.get(id);
                if (!matches(stored, filter)) {
                  return false;
                }
                accepted.put(id, stored);
                return true;
              });
    }
    List<EmbeddingMatch<Embedded>> matches = new ArrayList<>(found.size());
    for (QuantizedVectorIndex.Match m : found) {
      Stored stored = accepted.get(m.id());
      float[] v = index.vector(m.id());
      if (v != null && stored != null) {
        // The index keeps the unit vector; scaled back, it is the embedding as added.
        for (int j = 0; j < v.length; j++) {
          v[j] *= stored.norm;
        }
      }
      matches.add(
          new EmbeddingMatch<>(
              (m.score() + 1) / 2, m.id(), v == null ? null : Embedding.from(v), embedded(stored)));
    }
    return new EmbeddingSearchResult<>(matches);
  }

  /** Whether this store holds an entry for {@code id} (for tests: the map, not the index). */
  boolean stores(String id) {
    return entries.containsKey(id);
  }

  /**
   * Returns the heap bytes this store and its index hold: {@link
   * QuantizedVectorIndex#memoryBytes()} plus the store's own map of every id it added, as allocated
   * (with compressed references, as a heap under 32 GiB has them): the map's table and a node per
   * entry, the id String the map is keyed by (object and characters: the index, unless built with
   * {@link QuantizedVectorIndex.Builder#sharedIds()}, holds a copy of its own, counted by the
   * index), and what the store keeps beside the index (the embedded value's reference and the
   * embedding's length). The embedded values themselves ({@code TextSegment}s, say) are the
   * application's objects and are not counted. At 384 dimensions and short ids the map adds about
   * 110 bytes a vector to the index's. Walks the ids: for reports, not for every request.
   */
  public long memoryBytes() {
    long bytes = 0;
    int n = 0;
    for (String id : entries.keySet()) {
      bytes += MAP_NODE + STORED + stringBytes(id);
      n++;
    }
    // ConcurrentHashMap's table: a power of two from 16, doubled once 3/4 full, and never shrunk.
    long most = Math.max(n, peakEntries.get());
    long buckets = 16;
    while (most >= buckets * 3 / 4) {
      buckets <<= 1;
    }
    return index.memoryBytes()
        + bytes
        + QuantizedVectorIndex.arrayBytes(buckets, REFERENCE)
        + CONCURRENT_MAP;
  }

  // Object sizes with compressed references and class pointers (12-byte headers, 8-byte
  // alignment): ConcurrentHashMap.Node (hash, key, val, next), Stored (value, norm), String (value,
  // hash, coder, hashIsZero), ConcurrentHashMap itself with its counter fields.
  private static final int REFERENCE = 4;
  private static final int MAP_NODE = 32;
  private static final int STORED = 24;
  private static final int STRING = 24;
  private static final int CONCURRENT_MAP = 64;

  /** A String's object and its array: one byte a character if all are Latin-1, else two. */
  static long stringBytes(String s) {
    return STRING
        + QuantizedVectorIndex.arrayBytes(IdTable.isLatin1(s) ? s.length() : 2L * s.length(), 1);
  }

  /** Returns the index underneath. */
  public QuantizedVectorIndex index() {
    return index;
  }

  /** InMemoryEmbeddingStore's rule: only a TextSegment has metadata to test. */
  private static boolean matches(Stored stored, Filter filter) {
    return stored != null
        && stored.value instanceof TextSegment segment
        && filter.test(segment.metadata());
  }

  @SuppressWarnings("unchecked")
  private Embedded embedded(Stored stored) {
    return stored == null ? null : (Embedded) stored.value;
  }
}
