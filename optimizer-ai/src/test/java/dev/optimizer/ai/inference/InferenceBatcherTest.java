package dev.optimizer.ai.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.optimizer.ai.inference.internal.AdaptiveDelay;
import dev.optimizer.runtime.batch.DelayPolicy;
import dev.optimizer.runtime.batch.ItemResults;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.metrics.data.MetricData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Queueing and batching, close() (from outside and from inside a batch), the telemetry of each
 * call, and the adaptive delay. Failures of a batch's items are in {@link
 * InferenceBatchFailureTest}, building and the knobs in {@link InferenceBatcherBuildTest}.
 */
class InferenceBatcherTest extends BatcherFixture {

  @Test
  void aSubmitRefusedForAFullQueueIsRecordedAsAFailedOperation() throws Exception {
    GatedWorker worker = new GatedWorker();
    InferenceBatcher<String, String> batcher =
        InferenceBatcher.builder(optimizer, worker)
            .name("full")
            .maxBatchSize(1)
            .maxQueuedItems(1)
            .build();
    try {
      batcher.submit("a");
      assertThat(worker.started.await(10, TimeUnit.SECONDS)).isTrue();
      batcher.submit("b");
      assertThatThrownBy(() -> batcher.submit("c"))
          .isInstanceOf(java.util.concurrent.RejectedExecutionException.class);
      Set<String> errors =
          reader.collectAllMetrics().stream()
              .filter(m -> m.getName().equals("gen_ai.client.operation.duration"))
              .flatMap(m -> m.getData().getPoints().stream())
              .map(p -> p.getAttributes().get(AttributeKey.stringKey("error.type")))
              .filter(java.util.Objects::nonNull)
              .collect(Collectors.toSet());
      assertThat(errors).contains("java.util.concurrent.RejectedExecutionException");
    } finally {
      worker.release.countDown();
    }
  }

  @Test
  void errorTypeIsWhatTheModelActuallyFailedWithNotOurWrapper() throws Exception {
    BatchModel<String, String> model =
        new BatchModel<>() {
          @Override
          public void run(List<String> inputs, ItemResults<String> results) {
            switch (inputs.get(0)) {
              case "refused" ->
                  throw new RuntimeException(new java.net.ConnectException("Connection refused"));
              case "limited" ->
                  throw new dev.langchain4j.exception.RateLimitException(
                      new dev.langchain4j.exception.HttpException(429, "slow down"));
              default -> throw new IllegalArgumentException("model cannot take it");
            }
          }

          @Override
          public void close() {}
        };
    InferenceBatcher<String, String> batcher =
        InferenceBatcher.builder(optimizer, model).name("errors").maxBatchSize(1).build();
    for (String input : List.of("refused", "limited", "bad")) {
      // The future fails with our InferenceFailedException around the model's exception.
      assertThatThrownBy(() -> batcher.submit(input).get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(InferenceFailedException.class);
    }
    GatedWorker worker = new GatedWorker();
    InferenceBatcher<String, String> gated = batcher(worker);
    CompletableFuture<String> first = gated.submit("a");
    assertThat(worker.started.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> late = gated.submit("late", Duration.ofMillis(10));
    time.advance(Duration.ofMillis(20));
    worker.release.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("A");
    assertThatThrownBy(() -> late.get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(DeadlineExceededException.class);

    List<String> types =
        reader.collectAllMetrics().stream()
            .filter(m -> m.getName().equals("gen_ai.client.operation.duration"))
            .flatMap(m -> m.getData().getPoints().stream())
            .map(p -> p.getAttributes().get(AttributeKey.stringKey("error.type")))
            .filter(java.util.Objects::nonNull)
            .collect(Collectors.toList());
    // The chat decorators' rule: the HTTP status, "timeout" for our own deadline, else the class
    // of what failed under the wrappers (RuntimeException, InferenceFailedException).
    assertThat(types)
        .containsExactlyInAnyOrder(
            "java.net.ConnectException", "429", "java.lang.IllegalArgumentException", "timeout");
  }

  @Test
  void callsArrivingWhileTheWorkerIsBusyBecomeOneBatch() throws Exception {
    GatedWorker worker = new GatedWorker();
    InferenceBatcher<String, String> batcher = batcher(worker);
    CompletableFuture<String> first = batcher.submit("a");
    assertThat(worker.started.await(10, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<String>> rest = new ArrayList<>();
    for (String s : List.of("b", "c", "d")) {
      rest.add(batcher.submit(s));
    }
    worker.release.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("A");
    assertThat(rest.get(0).get(10, TimeUnit.SECONDS)).isEqualTo("B");
    assertThat(rest.get(2).get(10, TimeUnit.SECONDS)).isEqualTo("D");
    assertThat(worker.batches).containsExactly(List.of("a"), List.of("b", "c", "d"));
    assertThat(batcher.stats().meanBatchSize()).isEqualTo(2.0);
  }

  @Test
  void closeDrainsThenClosesTheWorkers() throws Exception {
    GatedWorker worker = new GatedWorker();
    InferenceBatcher<String, String> batcher = batcher(worker);
    CompletableFuture<String> first = batcher.submit("a");
    assertThat(worker.started.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> queued = batcher.submit("b");
    Thread releaser =
        new Thread(
            () -> {
              // close() blocks until drained; release the worker once close has begun.
              while (!Thread.currentThread().isInterrupted() && !closing(batcher)) {
                Thread.onSpinWait();
              }
              worker.release.countDown();
            });
    releaser.start();
    batcher.close();
    releaser.join();
    assertThat(first).isCompletedWithValue("A");
    assertThat(queued).isCompletedWithValue("B");
    assertThat(worker.closed).isTrue();
    assertThatThrownBy(() -> batcher.submit("c")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aWorkerStillRunningWhenCloseGivesUpIsClosedWhenItReturnsNotBefore() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch closedOnce = new CountDownLatch(1);
    AtomicBoolean running = new AtomicBoolean();
    AtomicBoolean closedWhileRunning = new AtomicBoolean();
    AtomicInteger closes = new AtomicInteger();
    BatchModel<String, String> worker =
        new BatchModel<>() {
          @Override
          public void run(List<String> inputs, ItemResults<String> results) {
            running.set(true);
            started.countDown();
            // Native code does not answer interrupts: hold on until released.
            awaitUninterruptibly(release);
            running.set(false);
            for (int i = 0; i < inputs.size(); i++) {
              results.complete(i, inputs.get(i));
            }
          }

          @Override
          public void close() {
            if (running.get()) {
              closedWhileRunning.set(true);
            }
            closes.incrementAndGet();
            closedOnce.countDown();
          }
        };
    InferenceBatcher<String, String> batcher =
        InferenceBatcher.builder(optimizer, worker).name("closing").build();
    CompletableFuture<String> call = batcher.submit("a");
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    // An interrupted close() stops waiting for the running batch at once.
    Thread closer =
        new Thread(
            () -> {
              Thread.currentThread().interrupt();
              batcher.close();
            });
    closer.start();
    closer.join(TimeUnit.SECONDS.toMillis(10));
    assertThat(closer.isAlive()).isFalse();
    assertThat(closes.get()).as("closed while its batch still runs").isZero();
    release.countDown();
    assertThat(closedOnce.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(closedWhileRunning).isFalse();
    batcher.close();
    assertThat(closes.get()).isEqualTo(1);
    assertThat(call).isCompletedExceptionally();
  }

  /**
   * A worker that closes something from inside its first batch (its batcher, or the optimizer
   * holding it), then settles the batch; it records whether it was ever closed while running.
   */
  static final class SelfClosingWorker implements BatchModel<String, String> {
    final CountDownLatch go = new CountDownLatch(1);
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch closeReturned = new CountDownLatch(1);
    final AtomicInteger closes = new AtomicInteger();
    final CountDownLatch closedOnce = new CountDownLatch(1);
    final AtomicBoolean running = new AtomicBoolean();
    final AtomicBoolean closedWhileRunning = new AtomicBoolean();
    volatile Runnable closer;

    @Override
    public void run(List<String> inputs, ItemResults<String> results) {
      running.set(true);
      try {
        started.countDown();
        awaitUninterruptibly(go);
        Runnable c = closer;
        if (c != null) {
          closer = null;
          c.run();
          closeReturned.countDown();
        }
        for (int i = 0; i < inputs.size(); i++) {
          results.complete(i, inputs.get(i).toUpperCase(java.util.Locale.ROOT));
        }
      } finally {
        running.set(false);
      }
    }

    @Override
    public void close() {
      if (running.get()) {
        closedWhileRunning.set(true);
      }
      closes.incrementAndGet();
      closedOnce.countDown();
    }
  }

  @Test
  void closeFromTheModelItselfReturnsAtOnceAndFinishesWhatWasAccepted() throws Exception {
    // A worker that closes its batcher (say on finding its model unloaded) runs inside a batch: a
    // close that waited for the busy workers would wait for itself until the close timeout (30 s),
    // and the batch queued behind would then find its worker closed.
    SelfClosingWorker worker = new SelfClosingWorker();
    InferenceBatcher<String, String> batcher =
        InferenceBatcher.builder(optimizer, worker).name("self-closing").build();
    worker.closer = batcher::close;
    CompletableFuture<String> first = batcher.submit("a");
    assertThat(worker.started.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> queued = batcher.submit("b"); // the next batch, accepted before close
    worker.go.countDown();

    assertThat(worker.closeReturned.await(10, TimeUnit.SECONDS)).as("close() returned").isTrue();
    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("A");
    assertThat(queued.get(10, TimeUnit.SECONDS)).isEqualTo("B");
    assertThatThrownBy(() -> batcher.submit("c")).isInstanceOf(IllegalStateException.class);
    awaitClosed(worker);
    assertThat(worker.closedWhileRunning).isFalse();
    assertThat(optimizer.knob("optimizer.ai.self-closing.max_batch_size")).isEmpty();
  }

  @Test
  void closingTheOptimizerFromADependentOfACallReturnsAtOnce() throws Exception {
    // The dependent runs as the model settles the call, inside the batch; the optimizer closes
    // the batcher from there.
    SelfClosingWorker worker = new SelfClosingWorker();
    InferenceBatcher<String, String> batcher =
        InferenceBatcher.builder(optimizer, worker).name("closed-by-a-dependent").build();
    CountDownLatch closed = new CountDownLatch(1);
    CompletableFuture<String> call = batcher.submit("a");
    call.thenRun(
        () -> {
          optimizer.close();
          closed.countDown();
        });
    worker.go.countDown();

    assertThat(closed.await(10, TimeUnit.SECONDS)).as("optimizer.close() returned").isTrue();
    assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo("A");
    assertThatThrownBy(() -> batcher.submit("b")).isInstanceOf(IllegalStateException.class);
    awaitClosed(worker);
    assertThat(worker.closedWhileRunning).isFalse();
  }

  /** Waits until {@code worker} was closed once: when the batch it runs gives it back. */
  private static void awaitClosed(SelfClosingWorker worker) throws InterruptedException {
    assertThat(worker.closedOnce.await(10, TimeUnit.SECONDS)).as("worker closed").isTrue();
    assertThat(worker.closes).as("times the worker was closed").hasValue(1);
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    boolean interrupted = false;
    while (true) {
      try {
        if (!latch.await(30, TimeUnit.SECONDS)) {
          throw new AssertionError("never released");
        }
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean closing(InferenceBatcher<?, ?> batcher) {
    try {
      java.lang.reflect.Field f = InferenceBatcher.class.getDeclaredField("closed");
      f.setAccessible(true);
      return f.getBoolean(batcher);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void reportsGenAiDurationBatchSizeAndQueueDelay() throws Exception {
    GatedWorker worker = new GatedWorker();
    worker.release.countDown();
    InferenceBatcher<String, String> batcher = batcher(worker);
    assertThat(batcher.call("a")).isEqualTo("A");
    Collection<MetricData> metrics = reader.collectAllMetrics();
    Set<String> names = metrics.stream().map(MetricData::getName).collect(Collectors.toSet());
    assertThat(names)
        .contains(
            "gen_ai.client.operation.duration",
            "optimizer.ai.batch.size",
            "optimizer.ai.queue.delay",
            "optimizer.batcher.batches");
    MetricData duration =
        metrics.stream()
            .filter(m -> m.getName().equals("gen_ai.client.operation.duration"))
            .findFirst()
            .orElseThrow();
    var point = duration.getHistogramData().getPoints().iterator().next();
    assertThat(point.getCount()).isEqualTo(1);
    assertThat(point.getAttributes().get(AttributeKey.stringKey("gen_ai.operation.name")))
        .isEqualTo("embeddings");
  }

  @Test
  void adaptiveDelayAddsNothingWhenIdleOrBusy() {
    AdaptiveDelay policy = new AdaptiveDelay(1);
    long max = 2_000_000;
    // Idle: one arrival every 10 ms, so none expected within 2 ms.
    assertThat(policy.delayNanos(context(max, 64, 100, 1, 0))).isZero();
    // Busy worker: the batch fills while it waits for the slot anyway.
    assertThat(policy.delayNanos(context(max, 64, 100_000, 1, 1))).isZero();
    // Free worker, 10 000 arrivals/s: 63 more take 6.3 ms, capped at maxDelay.
    assertThat(policy.delayNanos(context(max, 64, 10_000, 1, 0))).isEqualTo(max);
    // 100 000/s: 7 more for a batch of 8 take 70 us.
    assertThat(policy.delayNanos(context(max, 8, 100_000, 1, 0))).isEqualTo(70_000);
  }

  private static DelayPolicy.Context context(
      long maxDelay, int maxBatch, double rate, int queued, int inFlight) {
    return new DelayPolicy.Context() {
      @Override
      public long maxDelayNanos() {
        return maxDelay;
      }

      @Override
      public int maxBatchSize() {
        return maxBatch;
      }

      @Override
      public double recentBatchSize() {
        return 1;
      }

      @Override
      public double arrivalRatePerSecond() {
        return rate;
      }

      @Override
      public int queuedItems() {
        return queued;
      }

      @Override
      public int inFlightBatches() {
        return inFlight;
      }
    };
  }
}
