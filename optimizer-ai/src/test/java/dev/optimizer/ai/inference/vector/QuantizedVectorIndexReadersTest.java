package dev.optimizer.ai.inference.vector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Searches and lookups running while a writer replaces, adds and removes ids (so that the id pages
 * and their lookup are rewritten by compactions and rehashes under the readers) always see each
 * live id, as the String it was added as, with its own vector.
 */
class QuantizedVectorIndexReadersTest {

  private static final int DIM = 16;

  /** Latin-1, UTF-16 and one id over the inline limit. */
  private static String id(int i) {
    if (i == 3) {
      return "gro\u00dfe-".repeat(IdTable.MAX_INLINE_BYTES / 6 + 1) + i;
    }
    return i % 2 == 0 ? "n\u00e9v-" + i : "\u6587\u6863-" + i;
  }

  /** Near the unit vector of dimension {@code i}: its nearest neighbour is id(i)'s vector. */
  private static float[] near(Random r, int i) {
    float[] v = new float[DIM];
    for (int j = 0; j < DIM; j++) {
      v[j] = (float) (0.05 * r.nextGaussian());
    }
    v[i] += 1;
    return v;
  }

  private static float[] unit(int i) {
    float[] v = new float[DIM];
    v[i] = 1;
    return v;
  }

  @Test
  void readersAlongsideAWriterSeeEveryLiveIdWithItsVector() throws Exception {
    int writes = 7 * 3_000; // every temporary id added is removed again
    int reads = 5_000;
    Queue<String> broken = new ConcurrentLinkedQueue<>();
    try (QuantizedVectorIndex index = QuantizedVectorIndex.builder(DIM).build()) {
      Random setup = new Random(5);
      for (int i = 0; i < DIM; i++) {
        index.add(id(i), near(setup, i));
      }
      CyclicBarrier start = new CyclicBarrier(3);
      ExecutorService pool = Executors.newFixedThreadPool(3);
      try {
        List<Future<?>> tasks = new ArrayList<>();
        tasks.add(
            pool.submit(
                () -> {
                  Random r = new Random(6);
                  start.await();
                  for (int w = 0; w < writes; w++) {
                    index.add(id(w % DIM), near(r, w % DIM));
                    if (w % 7 == 0) {
                      index.add("tmp-" + w, StoreModel.gaussian(r, DIM));
                    }
                    if (w % 7 == 3) {
                      index.remove("tmp-" + (w - 3));
                    }
                  }
                  return null;
                }));
        for (int t = 0; t < 2; t++) {
          int seed = t;
          tasks.add(
              pool.submit(
                  () -> {
                    Random r = new Random(seed);
                    start.await();
                    for (int q = 0; q < reads; q++) {
                      int i = r.nextInt(DIM);
                      check(index, i, broken);
                    }
                    return null;
                  }));
        }
        for (Future<?> f : tasks) {
          f.get(2, TimeUnit.MINUTES);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(broken).isEmpty();
      assertThat(index.size()).isEqualTo(DIM);
    }
  }

  private static void check(QuantizedVectorIndex index, int i, Queue<String> broken) {
    List<QuantizedVectorIndex.Match> top = index.search(unit(i), 1);
    if (top.size() != 1 || !top.get(0).id().equals(id(i)) || top.get(0).score() < 0.9) {
      broken.add("search near " + i + " found " + top);
    }
    float[] v = index.vector(id(i));
    if (v == null || Vectors.cosine(v, unit(i)) < 0.9) {
      broken.add("vector of " + i + " is " + java.util.Arrays.toString(v));
    }
    List<QuantizedVectorIndex.Match> kept =
        index.search(unit(i), 1, -2, id -> !id.startsWith("tmp-"));
    if (kept.size() != 1 || !kept.get(0).id().equals(id(i))) {
      broken.add("filtered search near " + i + " found " + kept);
    }
  }
}
