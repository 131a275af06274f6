package dev.optimizer.ai.semantic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SemanticCacheConcurrencyTest {

  private static final String[] QUESTIONS = {
    "What is the capital of France?",
    "How tall is Mount Everest?",
    "Who wrote Hamlet?",
    "How do I learn Java?",
    "Why is the sky blue?",
    "What is the speed of light?"
  };

  @Test
  void concurrentPutsLookupsAndEvictionsKeepEachScopeToItself() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (SemanticCache<String> cache =
        SemanticCache.builder(new CountingModel()).maxEntriesPerScope(4).build()) {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        String scope = "tenant-" + t;
        results.add(
            pool.submit(
                () -> {
                  int served = 0;
                  for (int i = 0; i < 60; i++) {
                    String q = QUESTIONS[i % QUESTIONS.length];
                    if (i % 4 == 0) {
                      cache.put(scope, q, scope);
                    } else if (i % 9 == 0) {
                      cache.evict(scope, q);
                    } else {
                      for (SemanticCache.Hit<String> hit :
                          cache.lookup(scope, q).stream().toList()) {
                        assertThat(hit.value()).isEqualTo(scope);
                        served++;
                      }
                    }
                  }
                  return served;
                }));
      }
      int served = 0;
      for (Future<Integer> f : results) {
        served += f.get(60, TimeUnit.SECONDS);
      }
      assertThat(served).isPositive();
      assertThat(cache.stats().scopes()).isEqualTo(4);
      assertThat(cache.stats().entries()).isLessThanOrEqualTo(16);
    } finally {
      pool.shutdownNow();
    }
  }

  /** A fast stand-in: a fixed 8-dimensional vector per text, never zero. */
  private static final EmbeddingModel HASHED =
      new EmbeddingModel() {
        @Override
        public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
          List<Embedding> out = new ArrayList<>(segments.size());
          for (TextSegment s : segments) {
            java.util.Random r = new java.util.Random(s.text().hashCode());
            float[] v = new float[8];
            for (int j = 0; j < v.length; j++) {
              v[j] = r.nextFloat() + 0.01f;
            }
            out.add(Embedding.from(v));
          }
          return Response.from(out);
        }
      };

  @Test
  void putsRacingScopeEvictionLeaveNoBytesBehindAfterClear() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (SemanticCache<String> cache = SemanticCache.builder(HASHED).maxScopes(2).build()) {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 5_000; i++) {
                    // Every put makes a scope, and evicts another thread's (maxScopes 2).
                    cache.put("scope-" + thread + "-" + i, "question " + i, "answer");
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      cache.clear();
      assertThat(cache.stats().scopes()).isZero();
      assertThat(cache.stats().bytes()).as("bytes of entries no scope holds").isZero();
    } finally {
      pool.shutdownNow();
    }
  }
}
