package dev.optimizer.runtime.batch;

import static dev.optimizer.runtime.batch.MicroBatcherTest.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class MicroBatcherCloseTest {

  private final ManualClock clock = new ManualClock();

  private static List<String> echo(List<Integer> items) {
    return items.stream().map(i -> "v" + i).collect(Collectors.toList());
  }

  @Test
  void closeFlushesWhatIsQueuedAndRejectsNewItems() {
    MicroBatcher<Integer, String> batcher =
        MicroBatcher.<Integer, String>builder(MicroBatcherCloseTest::echo)
            .name("closing")
            .scheduler(clock)
            .executor(Runnable::run)
            .maxBatchSize(10)
            .maxDelay(Duration.ofSeconds(10))
            .build();
    CompletableFuture<String> a = batcher.submit(1);
    CompletableFuture<String> b = batcher.submit(2);

    batcher.close();

    assertThat(a).isCompletedWithValue("v1");
    assertThat(b).isCompletedWithValue("v2");
    assertThat(clock.pending()).isZero();
    assertThatThrownBy(() -> batcher.submit(3))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("MicroBatcher 'closing' is closed");
    batcher.close(); // idempotent
  }

  @Test
  void closeFromADependentOfItsOwnFutureDoesNotWaitForTheBatchSettlingIt() {
    // The dependent runs while the batch is still delivering: a close that waited for the batch
    // would wait for its own thread, then after closeTimeout fail the items not yet delivered.
    MicroBatcher<Integer, String> batcher =
        MicroBatcher.<Integer, String>builder(MicroBatcherCloseTest::echo)
            .name("self-closing")
            .scheduler(clock)
            .executor(Runnable::run)
            .maxBatchSize(10)
            .maxDelay(Duration.ofSeconds(10))
            .closeTimeout(Duration.ofMinutes(10))
            .build();
    CompletableFuture<String> a = batcher.submit(1);
    CompletableFuture<String> b = batcher.submit(2);
    CompletableFuture<String> c = batcher.submit(3);
    a.thenRun(batcher::close);

    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
        Duration.ofSeconds(30), batcher::flushNow);

    assertThat(List.of(a.join(), b.join(), c.join())).containsExactly("v1", "v2", "v3");
    assertThat(batcher.stats().inFlightBatches()).isZero();
    assertThatThrownBy(() -> batcher.submit(4)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void closeFromTheBatchFunctionDoesNotWaitForItsOwnBatch() throws Exception {
    // A function that closes its batcher (say on finding its model gone) runs on the batcher's
    // worker: a close that waited for the batch would wait for itself until closeTimeout, then
    // fail the items whose results the function is about to return, and interrupt it.
    AtomicReference<MicroBatcher<Integer, String>> self = new AtomicReference<>();
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    MicroBatcher<Integer, String> batcher =
        MicroBatcher.<Integer, String>builder(
                items -> {
                  go.await(); // so that the third item is accepted before close
                  self.get().close();
                  closed.countDown();
                  return echo(items);
                })
            .name("closed-by-its-function")
            .maxBatchSize(2)
            .closeTimeout(Duration.ofMinutes(10))
            .build();
    self.set(batcher);
    CompletableFuture<String> a = batcher.submit(1);
    CompletableFuture<String> b = batcher.submit(2); // fills the batch: dispatched now
    CompletableFuture<String> c = batcher.submit(3); // accepted before close: still delivered
    go.countDown();

    assertThat(closed.await(30, TimeUnit.SECONDS)).as("close() returned").isTrue();
    assertThat(List.of(a.get(30, TimeUnit.SECONDS), b.join(), c.get(30, TimeUnit.SECONDS)))
        .containsExactly("v1", "v2", "v3");
    assertThatThrownBy(() -> batcher.submit(4)).isInstanceOf(IllegalStateException.class);
    // The worker stops once the batcher is idle.
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("optimizer-batcher-closed-by-its-function-")) {
        t.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(t.isAlive()).as(t.getName()).isFalse();
      }
    }
  }

  @Test
  void closeWhenTheLastFutureCompletesReturnsAndTheOwnThreadsStop() throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    MicroBatcher<Integer, String> batcher =
        MicroBatcher.<Integer, String>builder(
                items -> {
                  go.await(); // so that the dependent below is registered before completion
                  return echo(items);
                })
            .name("all-done")
            .maxBatchSize(2)
            .closeTimeout(Duration.ofMinutes(10))
            .build();
    CompletableFuture<String> a = batcher.submit(1);
    CompletableFuture<String> b = batcher.submit(2); // fills the batch: dispatched now
    CountDownLatch closed = new CountDownLatch(1);
    CompletableFuture.allOf(a, b)
        .thenRun(
            () -> {
              batcher.close(); // on the worker, inside the completion of b
              closed.countDown();
            });
    go.countDown();

    assertThat(closed.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(List.of(a.join(), b.join())).containsExactly("v1", "v2");
    // The worker stops once the batch it was settling has finished.
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("optimizer-batcher-all-done-")) {
        t.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(t.isAlive()).as(t.getName()).isFalse();
      }
    }
  }

  @Test
  void closeWaitsForABatchThatIsLoading() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    MicroBatcher<Integer, String> batcher =
        MicroBatcher.<Integer, String>builder(
                items -> {
                  started.countDown();
                  release.await();
                  return echo(items);
                })
            .name("loading")
            .maxBatchSize(2)
            .maxDelay(Duration.ofSeconds(10))
            .build();
    CompletableFuture<String> a = batcher.submit(1);
    CompletableFuture<String> b = batcher.submit(2);
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> c = batcher.submit(3); // queued behind the loading batch

    ExecutorService closer = Executors.newSingleThreadExecutor();
    Future<?> closed = closer.submit(batcher::close);
    release.countDown();
    closed.get(10, TimeUnit.SECONDS);
    closer.shutdown();

    assertThat(List.of(a.join(), b.join(), c.join())).containsExactly("v1", "v2", "v3");
  }

  @Test
  void afterCloseTimeoutEveryUnfinishedItemFailsWithItsOwnError() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    AtomicReference<Thread> worker = new AtomicReference<>();
    MicroBatcher<Integer, String> batcher =
        MicroBatcher.<Integer, String>builder(
                items -> {
                  worker.set(Thread.currentThread());
                  started.countDown();
                  never.await();
                  return echo(items);
                })
            .name("stuck")
            .maxBatchSize(1)
            .closeTimeout(Duration.ZERO)
            .build();
    CompletableFuture<String> running = batcher.submit(1);
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> queued = batcher.submit(2);

    batcher.close();

    assertThat(failure(running))
        .isInstanceOf(TimeoutException.class)
        .hasMessageStartingWith(
            "MicroBatcher 'stuck' closed: the batch holding this item did not finish within"
                + " closeTimeout PT0S (queued=1, inFlightBatches=1");
    assertThat(failure(queued))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessageStartingWith(
            "MicroBatcher 'stuck' closed before this item was dispatched: closeTimeout PT0S");
    // close() interrupts its own worker that is still stuck, so the thread ends.
    worker.get().join(TimeUnit.SECONDS.toMillis(10));
    assertThat(worker.get().isAlive()).isFalse();
  }

  @Test
  void ownThreadsAreNamedDaemonAndStoppedByClose() throws Exception {
    List<Thread> workers = new ArrayList<>();
    MicroBatcher<Integer, String> batcher =
        MicroBatcher.<Integer, String>builder(
                items -> {
                  synchronized (workers) {
                    workers.add(Thread.currentThread());
                  }
                  return echo(items);
                })
            .name("threads")
            .maxBatchSize(5)
            .maxDelay(Duration.ofMillis(1))
            .build();
    // A timer flush: the item waits for the (real) 1 ms delay, run on the timer thread.
    assertThat(batcher.submit(1).get(10, TimeUnit.SECONDS)).isEqualTo("v1");
    Thread worker;
    synchronized (workers) {
      worker = workers.get(0);
    }
    assertThat(worker.getName()).isEqualTo("optimizer-batcher-threads-worker-1");
    assertThat(worker.isDaemon()).isTrue();
    List<Thread> timers =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().startsWith("optimizer-batcher-threads-timer"))
            .collect(Collectors.toList());
    assertThat(timers).hasSize(1).allMatch(Thread::isDaemon);

    batcher.close();

    worker.join(TimeUnit.SECONDS.toMillis(10));
    timers.get(0).join(TimeUnit.SECONDS.toMillis(10));
    assertThat(worker.isAlive()).isFalse();
    assertThat(timers.get(0).isAlive()).isFalse();
  }

  @Test
  void perItemFunctionSettlesItemsOneByOneAndLater() {
    List<ItemResults<String>> pending = new ArrayList<>();
    MicroBatcher<Integer, String> batcher =
        MicroBatcher.<Integer, String>perItemBuilder(
                (items, results) -> {
                  results.complete(0, "first");
                  pending.add(results);
                })
            .scheduler(clock)
            .executor(Runnable::run)
            .maxBatchSize(3)
            .build();
    CompletableFuture<String> a = batcher.submit(1);
    CompletableFuture<String> b = batcher.submit(2);
    CompletableFuture<String> c = batcher.submit(3);

    assertThat(a).isCompletedWithValue("first");
    assertThat(b).isNotDone();
    assertThat(batcher.stats().inFlightBatches()).as("in flight until all settled").isOne();
    ItemResults<String> results = pending.get(0);
    assertThat(results.size()).isEqualTo(3);
    assertThat(results.complete(0, "again")).as("first outcome wins").isFalse();
    assertThat(results.fail(2, new IllegalStateException("row 3 rejected"))).isTrue();
    assertThat(results.complete(1, "second")).isTrue();
    assertThatThrownBy(() -> results.complete(3, "x"))
        .isInstanceOf(IndexOutOfBoundsException.class);

    assertThat(a).isCompletedWithValue("first");
    assertThat(b).isCompletedWithValue("second");
    assertThat(failure(c)).hasMessage("row 3 rejected");
    assertThat(batcher.stats().inFlightBatches()).isZero();
    batcher.close();
  }

  @Test
  void aPerItemFunctionThatThrowsFailsOnlyTheUnsettledItems() {
    RuntimeException boom = new RuntimeException("boom");
    try (MicroBatcher<Integer, String> batcher =
        MicroBatcher.<Integer, String>perItemBuilder(
                (items, results) -> {
                  results.complete(0, "ok");
                  throw boom;
                })
            .scheduler(clock)
            .executor(Runnable::run)
            .maxBatchSize(2)
            .build()) {
      CompletableFuture<String> a = batcher.submit(1);
      CompletableFuture<String> b = batcher.submit(2);

      assertThat(a).isCompletedWithValue("ok");
      assertThat(failure(b)).isInstanceOf(BatchFailedException.class).hasCause(boom);
    }
  }

  @Test
  void aCancelledCallerDoesNotDisturbItsBatch() {
    try (MicroBatcher<Integer, String> batcher =
        MicroBatcher.<Integer, String>builder(MicroBatcherCloseTest::echo)
            .scheduler(clock)
            .executor(Runnable::run)
            .maxBatchSize(2)
            .build()) {
      CompletableFuture<String> a = batcher.submit(1);
      a.cancel(true);
      CompletableFuture<String> b = batcher.submit(2);

      assertThat(a).isCancelled();
      assertThat(b).isCompletedWithValue("v2");
      assertThat(batcher.stats().inFlightBatches()).isZero();
    }
  }
}
