package dev.optimizer.ai.inference.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.filter.MetadataFilterBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuantizedVectorIndexTest {

  static final int DIM = 64;

  /** Clustered vectors, like embeddings: a few directions plus noise. */
  static List<float[]> vectors(int n, long seed) {
    Random r = new Random(seed);
    float[][] centers = new float[20][DIM];
    for (float[] c : centers) {
      for (int j = 0; j < DIM; j++) {
        c[j] = (float) r.nextGaussian();
      }
    }
    List<float[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] c = centers[r.nextInt(centers.length)];
      float[] v = new float[DIM];
      for (int j = 0; j < DIM; j++) {
        v[j] = c[j] + 0.6f * (float) r.nextGaussian();
      }
      out.add(v);
    }
    return out;
  }

  static double recallAt10(QuantizedVectorIndex index, List<float[]> data, List<float[]> queries) {
    double hits = 0;
    for (float[] q : queries) {
      Set<String> exact = new HashSet<>();
      IntStream.range(0, data.size())
          .boxed()
          .sorted(Comparator.comparingDouble(i -> -Vectors.cosine(q, data.get(i))))
          .limit(10)
          .forEach(i -> exact.add("v" + i));
      for (QuantizedVectorIndex.Match m : index.search(q, 10)) {
        if (exact.contains(m.id())) {
          hits++;
        }
      }
    }
    return hits / (10.0 * queries.size());
  }

  @Test
  void int8WithRescoringFindsTheExactNeighboursAndScores(@TempDir Path dir) {
    List<float[]> data = vectors(3000, 1);
    List<float[]> queries = vectors(50, 2);
    try (QuantizedVectorIndex index =
        QuantizedVectorIndex.builder(DIM).exactVectorsFile(dir.resolve("v.f32")).build()) {
      for (int i = 0; i < data.size(); i++) {
        index.add("v" + i, data.get(i));
      }
      assertThat(recallAt10(index, data, queries)).isGreaterThanOrEqualTo(0.99);
      QuantizedVectorIndex.Match best = index.search(queries.get(0), 1).get(0);
      int ord = Integer.parseInt(best.id().substring(1));
      assertThat(best.score())
          .isCloseTo(Vectors.cosine(queries.get(0), data.get(ord)), within(1e-5));
      // At 64 dimensions the ids weigh as much as half the codes, so the ratio to float32 is not
      // the 384-dimension one (QuantizedVectorIndexMemoryTest); the codes alone are under 30%.
      assertThat(index.memoryBytes()).isGreaterThan(3000L * (DIM + 4));
      assertThat(3000.0 * (DIM + 4) / index.float32Bytes()).isLessThan(0.3);
      assertThat(index.bytesPerVector()).isEqualTo(DIM + 4);
    }
  }

  @Test
  void binaryIsCoarserButStillRescoresExactly() {
    List<float[]> data = vectors(2000, 3);
    List<float[]> queries = vectors(30, 4);
    try (QuantizedVectorIndex index =
        QuantizedVectorIndex.builder(DIM).encoding(VectorEncoding.BINARY).build()) {
      for (int i = 0; i < data.size(); i++) {
        index.add("v" + i, data.get(i));
      }
      assertThat(recallAt10(index, data, queries)).isGreaterThan(0.8);
      assertThat(index.bytesPerVector()).isEqualTo(8.0);
    }
  }

  @Test
  void addingAnIdAgainReplacesAndRemoveForgets() {
    try (QuantizedVectorIndex index = QuantizedVectorIndex.builder(3).build()) {
      index.add("a", new float[] {1, 0, 0});
      index.add("b", new float[] {0, 1, 0});
      index.add("a", new float[] {0, 0, 1});
      assertThat(index.size()).isEqualTo(2);
      assertThat(index.search(new float[] {0, 0, 2}, 1).get(0))
          .isEqualTo(new QuantizedVectorIndex.Match("a", 1.0));
      assertThat(index.remove("a")).isTrue();
      assertThat(index.search(new float[] {0, 0, 1}, 5))
          .extracting(QuantizedVectorIndex.Match::id)
          .containsExactly("b");
      assertThat(index.search(new float[] {0, 0, 1}, 5, 0.5)).isEmpty();
    }
  }

  @Test
  void badVectorsAndSettingsAreRefused() {
    try (QuantizedVectorIndex index = QuantizedVectorIndex.builder(3).build()) {
      assertThatThrownBy(() -> index.add("x", new float[2]))
          .hasMessage("vector must have 3 dimensions, but had 2");
      assertThatThrownBy(() -> index.add("x", new float[3]))
          .hasMessageContaining("must not be zero");
      assertThatThrownBy(() -> index.add("x", new float[] {1, Float.NaN, 0}))
          .hasMessageContaining("must be finite");
      assertThatThrownBy(() -> index.search(new float[] {1, 0, 0}, 0))
          .hasMessage("k must be in [1, 10000], but was 0");
    }
    assertThatThrownBy(() -> QuantizedVectorIndex.builder(0))
        .hasMessage("dimension must be in [1, 65536], but was 0");
    assertThatThrownBy(() -> QuantizedVectorIndex.builder(3).oversample(0))
        .hasMessage("oversample must be in [1, 1000], but was 0");
  }

  @Test
  void servesAsALangChain4jEmbeddingStore() {
    try (QuantizedVectorIndex index = QuantizedVectorIndex.builder(3).build()) {
      QuantizedEmbeddingStore<TextSegment> store = new QuantizedEmbeddingStore<>(index);
      String id = store.add(Embedding.from(new float[] {1, 0, 0}), TextSegment.from("east"));
      store.add(Embedding.from(new float[] {-1, 0, 0}), TextSegment.from("west"));
      var result =
          store.search(
              EmbeddingSearchRequest.builder()
                  .queryEmbedding(Embedding.from(new float[] {1, 0.1f, 0}))
                  .maxResults(1)
                  .minScore(0.9)
                  .build());
      assertThat(result.matches()).hasSize(1);
      assertThat(result.matches().get(0).embeddingId()).isEqualTo(id);
      assertThat(result.matches().get(0).embedded().text()).isEqualTo("east");
      assertThat(result.matches().get(0).score()).isCloseTo((0.995037 + 1) / 2, within(1e-5));
      // No segment carries metadata "k": a filter on it matches nothing.
      assertThat(
              store
                  .search(
                      EmbeddingSearchRequest.builder()
                          .queryEmbedding(Embedding.from(new float[] {1, 0, 0}))
                          .filter(MetadataFilterBuilder.metadataKey("k").isEqualTo("v"))
                          .build())
                  .matches())
          .isEmpty();
    }
  }

  @Test
  void aFilteredSearchRanksOnlyTheAcceptedIds() {
    List<float[]> data = vectors(2000, 5);
    List<float[]> queries = vectors(20, 6);
    try (QuantizedVectorIndex index = QuantizedVectorIndex.builder(DIM).build()) {
      for (int i = 0; i < data.size(); i++) {
        index.add("v" + i, data.get(i));
      }
      // One id in 50 accepted: filtering the overall top 10 afterwards would leave almost none.
      java.util.function.Predicate<String> rare = id -> Integer.parseInt(id.substring(1)) % 50 == 0;
      double hits = 0;
      for (float[] q : queries) {
        List<QuantizedVectorIndex.Match> found = index.search(q, 10, -1, rare);
        assertThat(found).hasSize(10).allMatch(m -> rare.test(m.id()));
        Set<String> exact = new HashSet<>();
        IntStream.range(0, data.size())
            .filter(i -> i % 50 == 0)
            .boxed()
            .sorted(Comparator.comparingDouble(i -> -Vectors.cosine(q, data.get(i))))
            .limit(10)
            .forEach(i -> exact.add("v" + i));
        hits += found.stream().filter(m -> exact.contains(m.id())).count();
      }
      assertThat(hits / (10.0 * queries.size())).isGreaterThanOrEqualTo(0.99);
      assertThat(index.search(queries.get(0), 10, -1, id -> false)).isEmpty();
      assertThatThrownBy(() -> index.search(queries.get(0), 10, -1, null))
          .isInstanceOf(NullPointerException.class)
          .hasMessage("filter must not be null");
    }
  }

  private static org.assertj.core.data.Offset<Double> within(double d) {
    return org.assertj.core.data.Offset.offset(d);
  }
}
