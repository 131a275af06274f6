package dev.optimizer.ai.inference.vector;

import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;
import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.filter.Filter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Writers racing on one id leave the store and its index in step. */
class QuantizedEmbeddingStoreConcurrencyTest {

  private static final float[] ACME = {1, 0, 0, 0};
  private static final float[] GLOBEX = {0, 3, 0, 0};
  private static final Filter IS_ACME = metadataKey("tenant").isEqualTo("acme");

  /** Adds (or replaces) "doc" with its segment; the store's single-entry add with an id. */
  private static void put(QuantizedEmbeddingStore<TextSegment> store, float[] v, String tenant) {
    store.addAll(
        List.of("doc"),
        List.of(Embedding.from(v)),
        List.of(TextSegment.from(tenant, new Metadata().put("tenant", tenant))));
  }

  /**
   * Each round starts with "doc" stored for acme, then three threads race: one removes the acme
   * entries by filter, one re-adds "doc" for globex, one removes "doc" (odd rounds) or re-adds it
   * for acme (even rounds). Whatever the order, afterwards "doc" is in the store exactly when it is
   * in the index, and its embedding is the one added with its segment.
   */
  @Test
  void racingWritesToOneIdLeaveTheStoreAndTheIndexInStep() throws Exception {
    int rounds = 3_000;
    try (QuantizedVectorIndex index = QuantizedVectorIndex.builder(4).build()) {
      QuantizedEmbeddingStore<TextSegment> store = new QuantizedEmbeddingStore<>(index);
      CyclicBarrier start = new CyclicBarrier(3);
      CyclicBarrier end = new CyclicBarrier(3);
      List<String> broken = new ArrayList<>();
      ExecutorService pool = Executors.newFixedThreadPool(3);
      try {
        Future<?> checker =
            pool.submit(
                () -> {
                  for (int r = 0; r < rounds; r++) {
                    put(store, ACME, "acme");
                    start.await();
                    store.removeAll(IS_ACME);
                    end.await();
                    String problem = inconsistency(store, index);
                    if (problem != null) {
                      broken.add("round " + r + ": " + problem);
                    }
                    // Back to a clean start, in both structures whatever happened.
                    store.remove("doc");
                    index.remove("doc");
                  }
                  return null;
                });
        Future<?> globex =
            pool.submit(
                () -> {
                  for (int r = 0; r < rounds; r++) {
                    start.await();
                    put(store, GLOBEX, "globex");
                    end.await();
                  }
                  return null;
                });
        Future<?> third =
            pool.submit(
                () -> {
                  for (int r = 0; r < rounds; r++) {
                    start.await();
                    if (r % 2 == 1) {
                      store.remove("doc");
                    } else {
                      put(store, ACME, "acme");
                    }
                    end.await();
                  }
                  return null;
                });
        checker.get(2, TimeUnit.MINUTES);
        globex.get(2, TimeUnit.MINUTES);
        third.get(2, TimeUnit.MINUTES);
      } finally {
        pool.shutdownNow();
      }
      assertThat(broken).isEmpty();
    }
  }

  /** A description of how the store and the index disagree on "doc", or null. */
  private static String inconsistency(
      QuantizedEmbeddingStore<TextSegment> store, QuantizedVectorIndex index) {
    boolean stored = store.stores("doc");
    boolean indexed = index.vector("doc") != null;
    if (stored != indexed) {
      return "in the store: " + stored + ", in the index: " + indexed;
    }
    if (!stored) {
      return null;
    }
    List<EmbeddingMatch<TextSegment>> found =
        store
            .search(
                EmbeddingSearchRequest.builder()
                    .queryEmbedding(Embedding.from(new float[] {1, 1, 0, 0}))
                    .maxResults(1)
                    .build())
            .matches();
    if (found.isEmpty() || found.get(0).embedded() == null) {
      return "a search finds " + found;
    }
    float[] want = found.get(0).embedded().text().equals("acme") ? ACME : GLOBEX;
    float[] got = found.get(0).embedding().vector();
    for (int j = 0; j < want.length; j++) {
      if (Math.abs(got[j] - want[j]) > 1e-3) {
        return found.get(0).embedded().text() + " paired with " + java.util.Arrays.toString(got);
      }
    }
    return null;
  }
}
