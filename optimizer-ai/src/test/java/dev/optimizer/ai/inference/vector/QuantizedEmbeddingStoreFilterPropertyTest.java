package dev.optimizer.ai.inference.vector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.filter.Filter;
import dev.optimizer.ai.inference.vector.StoreModel.Entry;
import dev.optimizer.ai.inference.vector.StoreModel.Scored;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * For random vectors, metadata and filters, the store's filtered search is the exact top-k of an
 * exhaustive float64 scan over the matching entries, and the bulk removals remove exactly what they
 * should. The index is built with an oversample large enough that every matching entry is rescored:
 * what is checked here is the filtering, not the approximation of the quantized pass (the recall
 * tests cover that).
 */
class QuantizedEmbeddingStoreFilterPropertyTest {
  private static final int DIM = 16;
  private static final double EPS = 1e-5;

  @Property(tries = 300)
  void filteredSearchAndRemovalAgreeWithAnExhaustiveScan(
      @ForAll long seed,
      @ForAll @IntRange(min = 1, max = 150) int n,
      @ForAll @IntRange(min = 1, max = 20) int k,
      @ForAll VectorEncoding encoding) {
    Random r = new Random(seed);
    List<Map.Entry<String, Entry>> adds = StoreModel.adds(r, n, DIM);
    Map<String, Entry> model = StoreModel.replay(adds);
    Filter filter = StoreModel.filter(r, 2);
    float[] query = StoreModel.gaussian(r, DIM);
    double minScore = r.nextBoolean() ? 0 : 0.3 + 0.4 * r.nextDouble();
    List<Scored> matching = StoreModel.exhaustive(model, query, filter);
    // A score within rounding of minScore could fall either side: not a case to judge.
    Assume.that(matching.stream().noneMatch(s -> Math.abs(s.score() - minScore) < EPS));

    try (QuantizedVectorIndex index =
        QuantizedVectorIndex.builder(DIM).encoding(encoding).oversample(1000).build()) {
      // Two entries put into the index directly: not the store's, matching no filter.
      index.add("direct-1", StoreModel.gaussian(r, DIM));
      index.add("direct-2", StoreModel.gaussian(r, DIM));
      QuantizedEmbeddingStore<Object> store = new QuantizedEmbeddingStore<>(index);
      addInBatches(store, adds, r);

      List<EmbeddingMatch<Object>> found =
          store
              .search(
                  EmbeddingSearchRequest.builder()
                      .queryEmbedding(Embedding.from(query))
                      .maxResults(k)
                      .minScore(minScore)
                      .filter(filter)
                      .build())
              .matches();
      List<Scored> expected =
          matching.stream().filter(s -> s.score() >= minScore).limit(k).toList();
      assertTopK(found, expected, matching, model);

      store.removeAll(filter);
      Set<String> kept = new HashSet<>(model.keySet());
      matching.forEach(s -> kept.remove(s.id()));
      assertThat(idsInIndex(index, query)).isEqualTo(union(kept, Set.of("direct-1", "direct-2")));
      assertThat(
              store
                  .search(
                      EmbeddingSearchRequest.builder()
                          .queryEmbedding(Embedding.from(query))
                          .maxResults(k)
                          .filter(filter)
                          .build())
                  .matches())
          .isEmpty();

      store.removeAll();
      assertThat(idsInIndex(index, query)).containsExactlyInAnyOrder("direct-1", "direct-2");
    }
  }

  /**
   * Same size, every match a matching entry scored as the oracle scores it, and the score at each
   * rank the oracle's: the same top-k, allowing ties to be broken either way.
   */
  private static void assertTopK(
      List<EmbeddingMatch<Object>> found,
      List<Scored> expected,
      List<Scored> matching,
      Map<String, Entry> model) {
    Map<String, Double> scoreOf =
        matching.stream().collect(Collectors.toMap(Scored::id, Scored::score));
    assertThat(found).hasSize(expected.size());
    assertThat(found.stream().map(EmbeddingMatch::embeddingId).distinct()).hasSize(found.size());
    for (int i = 0; i < found.size(); i++) {
      EmbeddingMatch<Object> m = found.get(i);
      assertThat(scoreOf)
          .as("match %s passes the filter", m.embeddingId())
          .containsKey(m.embeddingId());
      assertThat(m.score()).isCloseTo(scoreOf.get(m.embeddingId()), within(EPS));
      assertThat(m.score())
          .as("score at rank %d", i)
          .isCloseTo(expected.get(i).score(), within(EPS));
      assertThat(m.embedded()).isSameAs(model.get(m.embeddingId()).value());
    }
  }

  private static void addInBatches(
      QuantizedEmbeddingStore<Object> store, List<Map.Entry<String, Entry>> adds, Random r) {
    int i = 0;
    while (i < adds.size()) {
      int end = Math.min(adds.size(), i + 1 + r.nextInt(8));
      List<String> ids = new ArrayList<>();
      List<Embedding> embeddings = new ArrayList<>();
      List<Object> values = new ArrayList<>();
      for (Map.Entry<String, Entry> a : adds.subList(i, end)) {
        ids.add(a.getKey());
        embeddings.add(Embedding.from(a.getValue().vector()));
        values.add(a.getValue().value());
      }
      if (ids.size() == 1 && values.get(0) == null) {
        store.add(ids.get(0), embeddings.get(0));
      } else {
        store.addAll(ids, embeddings, Arrays.asList(values.toArray()));
      }
      i = end;
    }
  }

  /** Every id the index holds, found by an unfiltered search for all of them. */
  private static Set<String> idsInIndex(QuantizedVectorIndex index, float[] query) {
    Set<String> ids = new HashSet<>();
    if (index.size() > 0) {
      index.search(query, index.size()).forEach(m -> ids.add(m.id()));
    }
    assertThat(ids).hasSize(index.size());
    return ids;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> u = new HashSet<>(a);
    u.addAll(b);
    return u;
  }

  private static org.assertj.core.data.Offset<Double> within(double d) {
    return org.assertj.core.data.Offset.offset(d);
  }
}
