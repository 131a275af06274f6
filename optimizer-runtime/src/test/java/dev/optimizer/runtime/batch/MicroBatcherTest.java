package dev.optimizer.runtime.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MicroBatcherTest {

  private final ManualClock clock = new ManualClock();
  private final List<List<Integer>> seen = new CopyOnWriteArrayList<>();

  private List<String> echo(List<Integer> items) {
    seen.add(List.copyOf(items));
    return items.stream().map(i -> "v" + i).collect(Collectors.toList());
  }

  private MicroBatcherBuilder<Integer, String> echoBuilder() {
    return MicroBatcher.<Integer, String>builder(this::echo)
        .name("test")
        .ticker(clock)
        .scheduler(clock)
        .executor(Runnable::run);
  }

  @Test
  void flushesWhenMaxBatchSizeIsReached() {
    try (MicroBatcher<Integer, String> batcher =
        echoBuilder().maxBatchSize(3).maxDelay(Duration.ofSeconds(1)).build()) {
      CompletableFuture<String> a = batcher.submit(1);
      CompletableFuture<String> b = batcher.submit(2);
      assertThat(seen).isEmpty();
      CompletableFuture<String> c = batcher.submit(3);

      assertThat(seen).containsExactly(List.of(1, 2, 3));
      assertThat(List.of(a.join(), b.join(), c.join())).containsExactly("v1", "v2", "v3");
      assertThat(clock.pending()).as("the flush timer of a full batch is cancelled").isZero();
    }
  }

  @Test
  void flushesWhenMaxDelayHasElapsedSinceTheFirstItem() {
    try (MicroBatcher<Integer, String> batcher =
        echoBuilder().maxBatchSize(10).maxDelay(Duration.ofMillis(5)).build()) {
      CompletableFuture<String> a = batcher.submit(1);
      clock.advance(Duration.ofMillis(3));
      CompletableFuture<String> b = batcher.submit(2);
      clock.advance(Duration.ofMillis(2).minusNanos(1));
      assertThat(seen).isEmpty();

      clock.advance(Duration.ofNanos(1));

      assertThat(seen).containsExactly(List.of(1, 2));
      assertThat(a).isCompletedWithValue("v1");
      assertThat(b).isCompletedWithValue("v2");
    }
  }

  @Test
  void zeroDelayDispatchesAsSoonAsASlotIsFree() {
    ManualExecutor executor = new ManualExecutor();
    try (MicroBatcher<Integer, String> batcher =
        MicroBatcher.<Integer, String>builder(this::echo)
            .scheduler(clock)
            .executor(executor)
            .maxDelay(Duration.ZERO)
            .maxBatchSize(10)
            .closeTimeout(Duration.ZERO)
            .build()) {
      batcher.submit(1);
      assertThat(executor.pending()).isOne();
      // While the slot is busy, items gather into the next batch instead of waiting for a timer.
      batcher.submit(2);
      batcher.submit(3);
      executor.runAll();

      assertThat(seen).containsExactly(List.of(1), List.of(2, 3));
      assertThat(clock.pending()).isZero();
    }
  }

  @Test
  void flushNowFlushesAPartialBatch() {
    try (MicroBatcher<Integer, String> batcher = echoBuilder().maxBatchSize(10).build()) {
      CompletableFuture<String> a = batcher.submit(7);
      batcher.flushNow();

      assertThat(a).isCompletedWithValue("v7");
      assertThat(clock.pending()).isZero();
      batcher.flushNow(); // nothing queued: harmless
      assertThat(seen).hasSize(1);
    }
  }

  @Test
  void aDueBatchKeepsCollectingWhileAllSlotsAreBusy() {
    ManualExecutor executor = new ManualExecutor();
    MicroBatcher<Integer, String> batcher =
        MicroBatcher.<Integer, String>builder(this::echo)
            .scheduler(clock)
            .ticker(clock)
            .executor(executor)
            .maxBatchSize(3)
            .maxDelay(Duration.ofMillis(1))
            .build();
    batcher.submit(1);
    clock.advance(Duration.ofMillis(1)); // batch [1] dispatched, not yet run
    batcher.submit(2);
    clock.advance(Duration.ofMillis(1)); // due, but the only slot is busy
    batcher.submit(3);
    batcher.submit(4);
    batcher.submit(5); // full: sealed
    batcher.submit(6);

    executor.runAll();
    clock.advance(Duration.ofMillis(1));
    executor.runAll();

    assertThat(seen).containsExactly(List.of(1), List.of(2, 3, 4), List.of(5, 6));
    batcher.close();
  }

  @Test
  void runsUpToMaxConcurrentBatchesAtOnce() {
    ManualExecutor executor = new ManualExecutor();
    MicroBatcher<Integer, String> batcher =
        MicroBatcher.<Integer, String>builder(this::echo)
            .scheduler(clock)
            .executor(executor)
            .maxBatchSize(1)
            .maxConcurrentBatches(2)
            .build();
    for (int i = 0; i < 5; i++) {
      batcher.submit(i);
    }
    assertThat(executor.pending()).isEqualTo(2);
    assertThat(batcher.stats().inFlightBatches()).isEqualTo(2);
    assertThat(batcher.stats().queuedItems()).isEqualTo(3);

    executor.runNext();
    assertThat(executor.pending()).as("a finished batch frees its slot").isEqualTo(2);
    executor.runAll();
    assertThat(batcher.stats()).isEqualTo(new MicroBatcher.Stats(5, 5, 0, 0, 0));
    batcher.close();
  }

  @Test
  void aThrowingBatchFunctionFailsEachCallerWithItsOwnError() {
    IllegalArgumentException boom = new IllegalArgumentException("boom");
    try (MicroBatcher<Integer, String> batcher =
        MicroBatcher.<Integer, String>builder(
                items -> {
                  throw boom;
                })
            .name("failing")
            .scheduler(clock)
            .executor(Runnable::run)
            .maxBatchSize(2)
            .build()) {
      CompletableFuture<String> a = batcher.submit(1);
      CompletableFuture<String> b = batcher.submit(2);

      Throwable ea = failure(a);
      Throwable eb = failure(b);
      assertThat(ea).isInstanceOf(BatchFailedException.class).hasCause(boom);
      assertThat(eb).isInstanceOf(BatchFailedException.class).hasCause(boom);
      assertThat(ea).isNotSameAs(eb);
      assertThat(ea.getMessage())
          .startsWith("batch function of MicroBatcher 'failing' failed for a batch of 2 items")
          .contains("index 0");
      assertThat(((BatchFailedException) eb).index()).isOne();
      assertThat(((BatchFailedException) eb).batchSize()).isEqualTo(2);
    }
  }

  @Test
  void aResultListOfTheWrongSizeFailsEachCallerNamingBothSizes() {
    try (MicroBatcher<Integer, String> batcher =
        MicroBatcher.<Integer, String>builder(items -> List.of("only one"))
            .name("short")
            .scheduler(clock)
            .executor(Runnable::run)
            .maxBatchSize(3)
            .build()) {
      List<CompletableFuture<String>> futures = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        futures.add(batcher.submit(i));
      }
      for (int i = 0; i < 3; i++) {
        assertThat(failure(futures.get(i)))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage(
                "batch function of MicroBatcher 'short' returned 1 results for a batch of 3"
                    + " items; it must return one result per item, in order (this item at index "
                    + i
                    + ")");
      }
    }
  }

  @Test
  void aNullResultListFailsEachCaller() {
    try (MicroBatcher<Integer, String> batcher =
        MicroBatcher.<Integer, String>builder(items -> null)
            .scheduler(clock)
            .executor(Runnable::run)
            .maxBatchSize(1)
            .build()) {
      assertThat(failure(batcher.submit(1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("returned null for a batch of 1 items");
    }
  }

  @Test
  void aFullQueueRejectsWithAStateSnapshot() {
    ManualExecutor executor = new ManualExecutor();
    MicroBatcher<Integer, String> batcher =
        MicroBatcher.<Integer, String>builder(this::echo)
            .name("bounded")
            .scheduler(clock)
            .executor(executor)
            .maxBatchSize(2)
            .maxQueuedItems(2)
            .build();
    batcher.submit(1);
    batcher.submit(2); // dispatched: in flight, no longer queued
    batcher.submit(3);
    batcher.submit(4); // queued behind the busy slot

    assertThatThrownBy(() -> batcher.submit(5))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessage(
            "MicroBatcher 'bounded' queue is full, item rejected (queued=2, inFlightBatches=1,"
                + " maxQueuedItems=2, maxBatchSize=2, maxConcurrentBatches=1)");
    assertThat(batcher.stats().rejected()).isOne();

    executor.runAll();
    assertThat(batcher.submit(5)).isNotNull();
    batcher.flushNow();
    executor.runAll();
    assertThat(batcher.stats().items()).isEqualTo(5);
    batcher.close();
  }

  @Test
  void anExecutorThatRejectsFailsEachItemOfTheBatch() {
    try (MicroBatcher<Integer, String> batcher =
        MicroBatcher.<Integer, String>builder(this::echo)
            .scheduler(clock)
            .executor(
                task -> {
                  throw new RejectedExecutionException("pool shut down");
                })
            .maxBatchSize(2)
            .build()) {
      CompletableFuture<String> a = batcher.submit(1);
      CompletableFuture<String> b = batcher.submit(2);

      assertThat(failure(a)).isInstanceOf(RejectedExecutionException.class);
      assertThat(failure(b)).isInstanceOf(RejectedExecutionException.class);
      assertThat(batcher.stats().inFlightBatches()).isZero();
    }
  }

  @Test
  void statsCountBatchesItemsAndMeanSize() {
    try (MicroBatcher<Integer, String> batcher = echoBuilder().maxBatchSize(4).build()) {
      for (int i = 0; i < 6; i++) {
        batcher.submit(i);
      }
      batcher.flushNow();
      MicroBatcher.Stats stats = batcher.stats();
      assertThat(stats.batches()).isEqualTo(2);
      assertThat(stats.items()).isEqualTo(6);
      assertThat(stats.meanBatchSize()).isEqualTo(3.0);
      assertThat(new MicroBatcher.Stats(0, 0, 0, 0, 0).meanBatchSize()).isZero();
    }
  }

  static Throwable failure(CompletableFuture<?> future) {
    assertThat(future).isCompletedExceptionally();
    try {
      future.get();
      throw new AssertionError("expected a failure");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aFailingFlushSchedulerFlushesAtOnceAndLosesNoQueueSlot() {
    boolean[] fail = {true};
    FlushScheduler flaky =
        (task, delayNanos) -> {
          if (fail[0]) {
            fail[0] = false;
            throw new IllegalStateException("timer bug");
          }
          return clock.schedule(task, delayNanos);
        };
    try (MicroBatcher<Integer, String> batcher =
        MicroBatcher.<Integer, String>builder(this::echo)
            .name("flaky")
            .ticker(clock)
            .scheduler(flaky)
            .executor(Runnable::run)
            .maxBatchSize(2)
            .maxQueuedItems(2)
            .maxDelay(Duration.ofMillis(5))
            .build()) {
      assertThat(batcher.submit(1)).as("flushed without waiting").isCompletedWithValue("v1");
      assertThat(batcher.stats().queuedItems()).isZero();
      CompletableFuture<String> second = batcher.submit(2);
      clock.advance(Duration.ofMillis(5));
      assertThat(second).isCompletedWithValue("v2");
    }
  }
}
