package dev.optimizer.runtime.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class MicroBatcherProperties {

  private static long f(int item) {
    return item * 31L + 7;
  }

  private static List<Long> apply(List<Integer> items) {
    return items.stream().map(MicroBatcherProperties::f).collect(Collectors.toList());
  }

  /**
   * Random interleavings of submits, elapsed time, manual flushes, batch runs and knob changes,
   * then close(): every accepted item's future is done, and a normal result is always f(item). With
   * a direct executor close() drains, so every result is normal; with an executor that never runs
   * by itself, close() (closeTimeout 0) must fail what it could not finish.
   */
  @Property(tries = 300)
  void eachCallerGetsItsOwnResultAndCloseLosesNothing(
      @ForAll @IntRange(min = 1, max = 8) int maxBatchSize,
      @ForAll @IntRange(min = 8, max = 40) int maxQueuedItems,
      @ForAll @IntRange(min = 1, max = 3) int maxConcurrentBatches,
      @ForAll boolean directExecutor,
      @ForAll @Size(max = 120) List<@IntRange(min = 0, max = 11) Integer> operations) {
    ManualClock clock = new ManualClock();
    ManualExecutor manual = new ManualExecutor();
    List<Integer> seen = new CopyOnWriteArrayList<>();
    List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    MicroBatcher<Integer, Long> batcher =
        MicroBatcher.<Integer, Long>builder(
                items -> {
                  seen.addAll(items);
                  batchSizes.add(items.size());
                  return apply(items);
                })
            .ticker(clock)
            .scheduler(clock)
            .executor(directExecutor ? Runnable::run : manual)
            .maxBatchSize(maxBatchSize)
            .maxQueuedItems(maxQueuedItems)
            .maxConcurrentBatches(maxConcurrentBatches)
            .maxDelay(Duration.ofMillis(2))
            .closeTimeout(Duration.ZERO)
            .build();
    Map<Integer, CompletableFuture<Long>> accepted = new LinkedHashMap<>();
    int next = 0;
    for (int op : operations) {
      if (op <= 5) {
        int item = next++;
        try {
          accepted.put(item, batcher.submit(item));
        } catch (RejectedExecutionException full) {
          assertThat(full).hasMessageContaining("maxQueuedItems=" + maxQueuedItems);
        }
      } else if (op == 6) {
        clock.advance(Duration.ofMillis(1));
      } else if (op == 7) {
        batcher.flushNow();
      } else if (op == 8 || op == 9) {
        manual.runNext();
      } else if (op == 10) {
        batcher.setMaxBatchSize(1 + next % 8);
      } else {
        clock.advance(Duration.ofMillis(5));
      }
    }

    batcher.close();

    accepted.forEach(
        (item, future) -> {
          assertThat(future).as("item %s", item).isDone();
          if (directExecutor) {
            assertThat(future).isCompletedWithValue(f(item));
          } else if (!future.isCompletedExceptionally()) {
            assertThat(future.join()).isEqualTo(f(item));
          }
        });
    manual.runAll(); // batches failed by close() may still run: their late results change nothing
    accepted.forEach(
        (item, future) -> {
          if (!future.isCompletedExceptionally()) {
            assertThat(future.join()).isEqualTo(f(item));
          }
        });
    assertThat(seen).as("no item twice, first in first out").isSorted().doesNotHaveDuplicates();
    assertThat(batchSizes).allMatch(size -> size >= 1 && size <= 8);
  }

  /** The same guarantees with real threads, the default executor and the default scheduler. */
  @Property(tries = 25)
  void concurrentSubmittersEachGetTheirOwnResult(
      @ForAll @IntRange(min = 2, max = 4) int threads,
      @ForAll @IntRange(min = 1, max = 60) int itemsPerThread,
      @ForAll @IntRange(min = 1, max = 16) int maxBatchSize,
      @ForAll @IntRange(min = 1, max = 3) int maxConcurrentBatches,
      @ForAll @IntRange(min = 0, max = 1) int maxDelayMillis)
      throws Exception {
    Map<Integer, Integer> calls = new ConcurrentHashMap<>();
    MicroBatcher<Integer, Long> batcher =
        MicroBatcher.<Integer, Long>builder(
                items -> {
                  items.forEach(i -> calls.merge(i, 1, Integer::sum));
                  return apply(items);
                })
            .maxBatchSize(maxBatchSize)
            .maxConcurrentBatches(maxConcurrentBatches)
            .maxDelay(Duration.ofMillis(maxDelayMillis))
            .build();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Map<Integer, CompletableFuture<Long>>>> submitted = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int base = t * 1000;
      submitted.add(
          pool.submit(
              () -> {
                start.await();
                Map<Integer, CompletableFuture<Long>> mine = new LinkedHashMap<>();
                for (int i = 0; i < itemsPerThread; i++) {
                  mine.put(base + i, batcher.submit(base + i));
                }
                return mine;
              }));
    }
    start.countDown();
    Map<Integer, CompletableFuture<Long>> all = new LinkedHashMap<>();
    for (Future<Map<Integer, CompletableFuture<Long>>> f : submitted) {
      all.putAll(f.get(10, TimeUnit.SECONDS));
    }
    pool.shutdown();

    batcher.close();

    all.forEach((item, future) -> assertThat(future).isCompletedWithValue(f(item)));
    assertThat(calls).hasSize(all.size()).allSatisfy((item, count) -> assertThat(count).isOne());
  }
}
