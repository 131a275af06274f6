package dev.optimizer.ai.semantic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
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
}
