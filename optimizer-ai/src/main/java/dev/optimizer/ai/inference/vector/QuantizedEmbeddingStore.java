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
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

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
 * rounding (a few ulps): the index keeps the unit vector and, with it, its length (4 bytes an entry
 * rather than a second copy of every vector), and scales it back. An entry put into the index
 * directly, not through this store, comes back as the index's unit vector.
 *
 * <p>Adding an id again replaces its embedding and its embedded value. {@link #removeAll()} removes
 * what was added through a store; entries put into the index directly are left alone (an id added
 * through the store and then again directly is the index's own entry from then on).
 *
 * <p>Memory: the store keeps nothing per entry of its own. The index holds, beside each slot's
 * codes and id, the embedding's length (4 bytes) and, in a page of slots where some entry has an
 * embedded value, the value's reference (4 bytes): no map, no node, no wrapper object and no second
 * copy of the id. {@link #memoryBytes()} reports it all. Stores over one index are views of the
 * same entries: each sees the values added through any of them.
 *
 * <p>Thread-safe: each write to an id changes its vector, length and value together under the
 * index's write lock, so writes racing on one id leave them in step; searches run in parallel with
 * each other and see each entry whole (vector, length and value of one write), though a search
 * running alongside a bulk add or removal may see part of it.
 *
 * @param <Embedded> what is stored with each embedding, e.g. a {@code TextSegment}
 */
public final class QuantizedEmbeddingStore<Embedded> implements EmbeddingStore<Embedded> {

  private final QuantizedVectorIndex index;

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
    // One write under the index's lock: the vector (checked first, so a bad one changes nothing),
    // the length the index's unit vector is scaled back by, and the value.
    index.add(id, vector, norm(vector), value);
  }

  /**
   * The embedding's length, never 0 for a vector the index accepts (nonzero and finite: a float
   * square root of a sum of squares at least Float.MIN_VALUE squared is at least Float.MIN_VALUE),
   * so 0 is free to mark the index's own entries. A bad vector gets any value: the index refuses
   * it.
   */
  private static float norm(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    return (float) Math.sqrt(sum);
  }

  /** Removes {@code id}, also an entry put into the index directly. */
  @Override
  public void remove(String id) {
    index.remove(Checks.notNull("id", id));
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
    Predicate<Object> matching = value -> matches(value, filter);
    // Listed under the read lock, then each judged again and removed under the write lock, so that
    // an entry replaced meanwhile is judged on its new value, and its new vector is never taken
    // from the index with the old value.
    for (String id : index.storeIds(matching)) {
      index.removeStoreEntry(id, matching);
    }
  }

  /** Removes every entry added through a store, from the index; its own entries are left. */
  @Override
  public void removeAll() {
    Predicate<Object> any = value -> true;
    for (String id : index.storeIds(any)) {
      index.removeStoreEntry(id, any);
    }
  }

  @Override
  public EmbeddingSearchResult<Embedded> search(EmbeddingSearchRequest request) {
    Checks.notNull("request", request);
    float[] query = request.queryEmbedding().vector();
    double minCosine = 2 * request.minScore() - 1;
    Filter filter = request.filter();
    // Each match carries the vector, length and value of the slot scored (and, filtered, the value
    // the filter accepted), read under one read lock: a concurrent write cannot pair them wrongly.
    List<QuantizedVectorIndex.Found> found =
        index.searchEntries(
            query,
            request.maxResults(),
            minCosine,
            filter == null ? null : value -> matches(value, filter));
    List<EmbeddingMatch<Embedded>> matches = new ArrayList<>(found.size());
    for (QuantizedVectorIndex.Found f : found) {
      matches.add(
          new EmbeddingMatch<>(
              (f.score() + 1) / 2, f.id(), Embedding.from(f.vector()), embedded(f.value())));
    }
    return new EmbeddingSearchResult<>(matches);
  }

  /** Whether {@code id} is an entry added through a store (for tests). */
  boolean stores(String id) {
    return index.isStoreEntry(id);
  }

  /**
   * Returns the heap bytes this store holds, which are its index's: {@link
   * QuantizedVectorIndex#memoryBytes()}, counting, beside the codes and ids, what the index keeps
   * per entry for the store (the embedding's length, 4 bytes, and where there are embedded values
   * their references, 4 bytes a slot of the pages that have any), as allocated, with compressed
   * references as a heap under 32 GiB has them. The embedded values themselves ({@code
   * TextSegment}s, say) are the application's objects and are not counted. The store adds nothing
   * per entry of its own.
   */
  public long memoryBytes() {
    return index.memoryBytes();
  }

  /** Returns the index underneath. */
  public QuantizedVectorIndex index() {
    return index;
  }

  /** InMemoryEmbeddingStore's rule: only a TextSegment has metadata to test. */
  private static boolean matches(Object value, Filter filter) {
    return value instanceof TextSegment segment && filter.test(segment.metadata());
  }

  @SuppressWarnings("unchecked")
  private Embedded embedded(Object value) {
    return (Embedded) value;
  }
}
