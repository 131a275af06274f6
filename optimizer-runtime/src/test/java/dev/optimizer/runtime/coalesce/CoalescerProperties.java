package dev.optimizer.runtime.coalesce;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class CoalescerProperties {

  /**
   * N threads ask for K keys at once; each load stays open until every caller has asked, so all
   * callers of a key overlap. Exactly one load per key runs, and every caller gets its key's value.
   */
  @Property(tries = 40)
  void exactlyOneAsynchronousLoadPerKeyUnderConcurrency(
      @ForAll @IntRange(min = 2, max = 16) int threads,
      @ForAll @IntRange(min = 1, max = 4) int keys)
      throws Exception {
    Coalescer<Integer, String> coalescer = Coalescer.create();
    Map<Integer, Integer> loadsPerKey = new ConcurrentHashMap<>();
    CompletableFuture<Void> allAsked = new CompletableFuture<>();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<CompletableFuture<String>>> asked = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int key = t % keys;
        asked.add(
            pool.submit(
                () -> {
                  start.await();
                  return coalescer.execute(
                      key,
                      () -> {
                        loadsPerKey.merge(key, 1, Integer::sum);
                        return allAsked.thenApply(ignored -> "value-" + key);
                      });
                }));
      }
      start.countDown();
      List<CompletableFuture<String>> results = new ArrayList<>();
      for (Future<CompletableFuture<String>> f : asked) {
        results.add(f.get(10, TimeUnit.SECONDS));
      }
      allAsked.complete(null);

      for (int t = 0; t < threads; t++) {
        assertThat(results.get(t).get(10, TimeUnit.SECONDS)).isEqualTo("value-" + (t % keys));
      }
      int used = Math.min(threads, keys);
      assertThat(loadsPerKey).hasSize(used).allSatisfy((k, n) -> assertThat(n).isOne());
      assertThat(coalescer.stats()).isEqualTo(new Coalescer.Stats(used, threads - used, 0));
    } finally {
      pool.shutdownNow();
    }
  }

  /** The same with the synchronous variant: loaders block until every caller has joined. */
  @Property(tries = 40)
  void exactlyOneSynchronousLoadPerKeyUnderConcurrency(
      @ForAll @IntRange(min = 2, max = 16) int threads,
      @ForAll @IntRange(min = 1, max = 4) int keys)
      throws Exception {
    Coalescer<Integer, String> coalescer = Coalescer.create();
    Map<Integer, Integer> loadsPerKey = new ConcurrentHashMap<>();
    CountDownLatch allJoined = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int key = t % keys;
        results.add(
            pool.submit(
                () ->
                    coalescer.call(
                        key,
                        () -> {
                          loadsPerKey.merge(key, 1, Integer::sum);
                          allJoined.await();
                          return "value-" + key;
                        })));
      }
      // Every caller has either started its key's load or joined one: release the loaders.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (coalescer.stats().loads() + coalescer.stats().coalesced() < threads) {
        assertThat(System.nanoTime()).as("callers never all arrived").isLessThan(deadline);
        Thread.onSpinWait();
      }
      allJoined.countDown();

      for (int t = 0; t < threads; t++) {
        assertThat(results.get(t).get(10, TimeUnit.SECONDS)).isEqualTo("value-" + (t % keys));
      }
      assertThat(loadsPerKey).allSatisfy((k, n) -> assertThat(n).isOne());
      assertThat(coalescer.stats().loads()).isEqualTo(Math.min(threads, keys));
    } finally {
      pool.shutdownNow();
    }
  }
}
