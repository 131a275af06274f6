package dev.optimizer.ai.inference.vector;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingSearchResult;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.optimizer.api.internal.Checks;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A LangChain4j {@link EmbeddingStore} over a {@link QuantizedVectorIndex}: int8 (or binary) scan,
 * exact rescoring. Scores are LangChain4j relevance scores, {@code (cosine + 1) / 2}, as {@code
 * InMemoryEmbeddingStore} reports them. Metadata filters are not supported (a request with one is
 * refused). Thread-safe.
 *
 * @param <Embedded> what is stored with each embedding, e.g. a {@code TextSegment}
 */
public final class QuantizedEmbeddingStore<Embedded> implements EmbeddingStore<Embedded> {

  private final QuantizedVectorIndex index;
  private final Map<String, Embedded> embedded = new ConcurrentHashMap<>();

  /** A store over {@code index}; the caller keeps ownership of the index. */
  public QuantizedEmbeddingStore(QuantizedVectorIndex index) {
    this.index = Checks.notNull("index", index);
  }

  @Override
  public String add(Embedding embedding) {
    String id = UUID.randomUUID().toString();
    add(id, embedding);
    return id;
  }

  @Override
  public void add(String id, Embedding embedding) {
    index.add(Checks.notNull("id", id), Checks.notNull("embedding", embedding).vector());
  }

  @Override
  public String add(Embedding embedding, Embedded value) {
    String id = add(embedding);
    if (value != null) {
      embedded.put(id, value);
    }
    return id;
  }

  @Override
  public List<String> addAll(List<Embedding> embeddings) {
    List<String> ids = new ArrayList<>(embeddings.size());
    for (Embedding e : embeddings) {
      ids.add(add(e));
    }
    return ids;
  }

  @Override
  public void addAll(List<String> ids, List<Embedding> embeddings, List<Embedded> values) {
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
      add(ids.get(i), embeddings.get(i));
      if (values != null && values.get(i) != null) {
        embedded.put(ids.get(i), values.get(i));
      }
    }
  }

  @Override
  public void remove(String id) {
    index.remove(Checks.notNull("id", id));
    embedded.remove(id);
  }

  @Override
  public void removeAll(Collection<String> ids) {
    for (String id : ids) {
      remove(id);
    }
  }

  @Override
  public EmbeddingSearchResult<Embedded> search(EmbeddingSearchRequest request) {
    Checks.notNull("request", request);
    if (request.filter() != null) {
      throw new UnsupportedOperationException(
          "QuantizedEmbeddingStore does not support metadata filters (request had "
              + request.filter()
              + ")");
    }
    double minCosine = 2 * request.minScore() - 1;
    List<EmbeddingMatch<Embedded>> matches = new ArrayList<>();
    for (QuantizedVectorIndex.Match m :
        index.search(request.queryEmbedding().vector(), request.maxResults(), minCosine)) {
      float[] v = index.vector(m.id());
      matches.add(
          new EmbeddingMatch<>(
              (m.score() + 1) / 2,
              m.id(),
              v == null ? null : Embedding.from(v),
              embedded.get(m.id())));
    }
    return new EmbeddingSearchResult<>(matches);
  }

  /** Returns the index underneath. */
  public QuantizedVectorIndex index() {
    return index;
  }
}
