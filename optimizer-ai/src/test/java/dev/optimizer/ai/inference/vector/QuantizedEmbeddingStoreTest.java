package dev.optimizer.ai.inference.vector;

import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.filter.Filter;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class QuantizedEmbeddingStoreTest {
  private static final int DIM = 32;

  private static EmbeddingSearchRequest request(float[] query, int k, Filter filter) {
    return EmbeddingSearchRequest.builder()
        .queryEmbedding(Embedding.from(query))
        .maxResults(k)
        .filter(filter)
        .build();
  }

  private static List<String> ids(EmbeddingStore<TextSegment> store, float[] q, int k, Filter f) {
    return store.search(request(q, k, f)).matches().stream()
        .map(EmbeddingMatch::embeddingId)
        .toList();
  }

  private static TextSegment segment(String text, String tenant, int year) {
    return TextSegment.from(text, new Metadata().put("tenant", tenant).put("year", year));
  }

  @Test
  void aMatchCarriesTheEmbeddingAsAddedNotItsUnitVector() {
    try (QuantizedVectorIndex index = QuantizedVectorIndex.builder(2).build()) {
      QuantizedEmbeddingStore<TextSegment> store = new QuantizedEmbeddingStore<>(index);
      store.add("a", Embedding.from(new float[] {3, 4}));
      store.add(Embedding.from(new float[] {-0.25f, 10}), TextSegment.from("b"));
      List<EmbeddingMatch<TextSegment>> matches =
          store.search(request(new float[] {3, 4}, 2, null)).matches();
      assertThat(matches.get(0).embedding().vector())
          .containsExactly(new float[] {3, 4}, org.assertj.core.data.Offset.offset(1e-5f));
      assertThat(matches.get(1).embedding().vector())
          .containsExactly(new float[] {-0.25f, 10}, org.assertj.core.data.Offset.offset(1e-5f));
    }
  }

  @Test
  void filtersAndRemovesAsInMemoryEmbeddingStoreDoes() {
    Random r = new Random(7);
    List<String> ids = new ArrayList<>();
    List<Embedding> embeddings = new ArrayList<>();
    List<TextSegment> segments = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      ids.add("id" + i);
      embeddings.add(Embedding.from(StoreModel.gaussian(r, DIM)));
      Object v = StoreModel.value(r, i);
      // InMemoryEmbeddingStore<TextSegment> holds segments or nothing.
      segments.add(v instanceof TextSegment s ? s : null);
    }
    try (QuantizedVectorIndex index = QuantizedVectorIndex.builder(DIM).oversample(1000).build()) {
      QuantizedEmbeddingStore<TextSegment> ours = new QuantizedEmbeddingStore<>(index);
      InMemoryEmbeddingStore<TextSegment> reference = new InMemoryEmbeddingStore<>();
      ours.addAll(ids, embeddings, segments);
      reference.addAll(ids, embeddings, segments);

      for (int t = 0; t < 30; t++) {
        Filter filter = StoreModel.filter(r, 2);
        float[] q = StoreModel.gaussian(r, DIM);
        int k = 1 + r.nextInt(40);
        var expected = reference.search(request(q, k, filter)).matches();
        var actual = ours.search(request(q, k, filter)).matches();
        assertThat(actual.stream().map(EmbeddingMatch::embeddingId))
            .as("filter %s, k %d", filter, k)
            .containsExactlyElementsOf(expected.stream().map(EmbeddingMatch::embeddingId).toList());
        for (int i = 0; i < actual.size(); i++) {
          assertThat(actual.get(i).score())
              .isCloseTo(expected.get(i).score(), org.assertj.core.data.Offset.offset(1e-6));
          assertThat(actual.get(i).embedded()).isSameAs(expected.get(i).embedded());
        }
      }

      float[] q = StoreModel.gaussian(r, DIM);
      for (Filter filter :
          List.of(
              metadataKey("tenant").isEqualTo("acme"),
              Filter.not(metadataKey("year").isGreaterThan(2021)))) {
        ours.removeAll(filter);
        reference.removeAll(filter);
        assertThat(ids(ours, q, 500, null)).containsExactlyElementsOf(ids(reference, q, 500, null));
      }
      assertThat(index.size()).isEqualTo(reference.size());
      ours.removeAll();
      reference.removeAll();
      assertThat(index.size()).isZero();
      assertThat(ids(ours, q, 10, null)).isEmpty();
    }
  }

  @Test
  void aFilterMatchingNothingFindsNothingAndKBeyondTheMatchesFindsThemAll() {
    try (QuantizedVectorIndex index = QuantizedVectorIndex.builder(DIM).build()) {
      QuantizedEmbeddingStore<TextSegment> store = new QuantizedEmbeddingStore<>(index);
      Random r = new Random(11);
      List<String> acme = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        String tenant = i % 40 == 0 ? "acme" : "globex";
        String id =
            store.add(Embedding.from(StoreModel.gaussian(r, DIM)), segment("t", tenant, 2020));
        if (tenant.equals("acme")) {
          acme.add(id);
        }
      }
      float[] q = StoreModel.gaussian(r, DIM);
      assertThat(ids(store, q, 10, metadataKey("tenant").isEqualTo("nobody"))).isEmpty();
      assertThat(ids(store, q, 10, metadataKey("year").isGreaterThan(2020))).isEmpty();

      var found = store.search(request(q, 50, metadataKey("tenant").isEqualTo("acme"))).matches();
      assertThat(found)
          .extracting(EmbeddingMatch::embeddingId)
          .containsExactlyInAnyOrderElementsOf(acme);
      assertThat(found)
          .extracting(EmbeddingMatch::score)
          .isSortedAccordingTo((a, b) -> Double.compare(b, a));
      assertThat(found).allMatch(m -> m.embedded().metadata().getString("tenant").equals("acme"));
    }
  }

  @Test
  void onlyASegmentsMetadataCanMatchAFilter() {
    try (QuantizedVectorIndex index = QuantizedVectorIndex.builder(3).build()) {
      QuantizedEmbeddingStore<Object> store = new QuantizedEmbeddingStore<>(index);
      store.add("none", Embedding.from(new float[] {1, 0, 0}));
      store.add(Embedding.from(new float[] {1, 0.1f, 0}), "a plain string");
      store.add("empty", Embedding.from(new float[] {1, 0.2f, 0}));
      store.addAll(
          List.of("empty"),
          List.of(Embedding.from(new float[] {1, 0.2f, 0})),
          List.of(TextSegment.from("x")));
      index.add("direct", new float[] {1, 0.3f, 0});
      // not(tenant = acme) and tenant != acme hold for metadata without a tenant, so the segment
      // with empty metadata matches; entries with no segment match no filter at all.
      for (Filter f :
          List.of(
              Filter.not(metadataKey("tenant").isEqualTo("acme")),
              metadataKey("tenant").isNotEqualTo("acme"))) {
        var found = store.search(request(new float[] {1, 0, 0}, 10, f)).matches();
        assertThat(found).extracting(EmbeddingMatch::embeddingId).containsExactly("empty");
      }
      assertThat(store.search(request(new float[] {1, 0, 0}, 10, null)).matches()).hasSize(4);

      store.removeAll(metadataKey("tenant").isNotEqualTo("acme"));
      assertThat(index.size()).isEqualTo(3);
      assertThat(index.vector("empty")).isNull();
      store.removeAll();
      // Only what the store added is gone: the index's own entry stays.
      assertThat(index.size()).isEqualTo(1);
      assertThat(index.vector("direct")).isNotNull();
    }
  }

  @Test
  void addingAnIdAgainReplacesItsSegment() {
    try (QuantizedVectorIndex index = QuantizedVectorIndex.builder(3).build()) {
      QuantizedEmbeddingStore<TextSegment> store = new QuantizedEmbeddingStore<>(index);
      float[] v = {0, 1, 0};
      store.addAll(List.of("doc"), List.of(Embedding.from(v)), List.of(segment("a", "acme", 2020)));
      store.addAll(
          List.of("doc"), List.of(Embedding.from(v)), List.of(segment("b", "globex", 2020)));
      assertThat(ids(store, v, 5, metadataKey("tenant").isEqualTo("acme"))).isEmpty();
      assertThat(ids(store, v, 5, metadataKey("tenant").isEqualTo("globex")))
          .containsExactly("doc");
      store.add("doc", Embedding.from(v));
      assertThat(ids(store, v, 5, metadataKey("tenant").isEqualTo("globex"))).isEmpty();
      assertThat(store.search(request(v, 5, null)).matches().get(0).embedded()).isNull();
    }
  }

  @Test
  void nullArgumentsAreRefusedByName() {
    try (QuantizedVectorIndex index = QuantizedVectorIndex.builder(3).build()) {
      QuantizedEmbeddingStore<TextSegment> store = new QuantizedEmbeddingStore<>(index);
      assertThatThrownBy(() -> store.removeAll((Filter) null))
          .hasMessage("filter must not be null");
      assertThatThrownBy(() -> store.removeAll((Collection<String>) null))
          .hasMessage("ids must not be null");
      assertThatThrownBy(() -> store.search(null)).hasMessage("request must not be null");
      assertThatThrownBy(() -> store.add((String) null, Embedding.from(new float[] {1, 0, 0})))
          .hasMessage("id must not be null");
      assertThatThrownBy(() -> store.add("x", null)).hasMessage("embedding must not be null");
      assertThatThrownBy(() -> store.addAll(null)).hasMessage("embeddings must not be null");
      assertThatThrownBy(() -> new QuantizedEmbeddingStore<>(null))
          .hasMessage("index must not be null");
    }
  }

  @Test
  void aFilterThatFailsLeavesTheStoreUsable() {
    try (QuantizedVectorIndex index = QuantizedVectorIndex.builder(3).build()) {
      QuantizedEmbeddingStore<TextSegment> store = new QuantizedEmbeddingStore<>(index);
      store.add(Embedding.from(new float[] {1, 0, 0}), segment("a", "acme", 2020));
      // "year" holds an integer: LangChain4j refuses to compare it with a string.
      assertThatThrownBy(
              () ->
                  store.search(
                      request(new float[] {1, 0, 0}, 5, metadataKey("year").isEqualTo("x"))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("year");
      // The index's lock was released: a write and a search still go through.
      store.add(Embedding.from(new float[] {0, 1, 0}), segment("b", "acme", 2021));
      assertThat(ids(store, new float[] {0, 1, 0}, 5, metadataKey("year").isEqualTo(2021)))
          .hasSize(1);
    }
  }

  @Test
  void filteredSearchesRunAlongsideWritesAndSeeOnlyMatchingEntries() throws Exception {
    try (QuantizedVectorIndex index = QuantizedVectorIndex.builder(DIM).build()) {
      QuantizedEmbeddingStore<TextSegment> store = new QuantizedEmbeddingStore<>(index);
      Filter acme = metadataKey("tenant").isEqualTo("acme");
      ExecutorService pool = Executors.newFixedThreadPool(3);
      CountDownLatch start = new CountDownLatch(1);
      AtomicBoolean writing = new AtomicBoolean(true);
      try {
        Future<?> writer =
            pool.submit(
                () -> {
                  Random r = new Random(3);
                  start.await();
                  for (int i = 0; i < 3000; i++) {
                    String tenant = i % 3 == 0 ? "acme" : "globex";
                    store.add(
                        Embedding.from(StoreModel.gaussian(r, DIM)), segment("t", tenant, 2020));
                    if (i % 500 == 499) {
                      store.removeAll(acme);
                    }
                  }
                  writing.set(false);
                  return null;
                });
        List<Future<Integer>> readers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          long seed = t;
          readers.add(
              pool.submit(
                  () -> {
                    Random r = new Random(seed);
                    start.await();
                    int searches = 0;
                    while (writing.get() || searches < 10) {
                      for (var m :
                          store.search(request(StoreModel.gaussian(r, DIM), 10, acme)).matches()) {
                        // The value the filter accepted, even if removed since.
                        assertThat(m.embedded()).isNotNull();
                        assertThat(m.embedded().metadata().getString("tenant")).isEqualTo("acme");
                      }
                      searches++;
                    }
                    return searches;
                  }));
        }
        start.countDown();
        writer.get(60, TimeUnit.SECONDS);
        for (Future<Integer> reader : readers) {
          assertThat(reader.get(60, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(10);
        }
      } finally {
        pool.shutdownNow();
      }
      // 3000 adds, a third acme; the last removal (after add 2999) left no acme entry.
      assertThat(index.size()).isEqualTo(2000);
      assertThat(ids(store, StoreModel.gaussian(new Random(5), DIM), 10, acme)).isEmpty();
    }
  }
}
