package dev.optimizer.ai.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.optimizer.ai.inference.internal.AdaptiveDelay;
import dev.optimizer.api.Knob;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.batch.DelayPolicy;
import dev.optimizer.runtime.batch.ItemResults;
import dev.optimizer.testing.ManualTime;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InferenceBatcherTest {

  private final ManualTime time = ManualTime.create();
  private final InMemoryMetricReader reader = InMemoryMetricReader.create();
  private OpenTelemetrySdk otel;
  private Optimizer optimizer;

  @BeforeEach
  void setUp() {
    otel =
        OpenTelemetrySdk.builder()
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build())
            .build();
    optimizer =
        Optimizer.builder()
            .openTelemetry(otel)
            .ticker(time.ticker())
            .clock(time.clock())
            .manualTuning()
            .build();
  }

  @AfterEach
  void tearDown() {
    optimizer.close();
    otel.close();
  }

  /** A worker that upper-cases, records its batches, and holds its first batch until released. */
  static final class GatedWorker implements BatchModel<String, String> {
    final List<List<String>> batches = new CopyOnWriteArrayList<>();
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    volatile boolean closed;

    @Override
    public void run(List<String> inputs, ItemResults<String> results) throws Exception {
      batches.add(List.copyOf(inputs));
      started.countDown();
      assertThat(release.await(10, TimeUnit.SECONDS)).isTrue();
      if (inputs.contains("bad")) {
        throw new IllegalArgumentException("model cannot take 'bad'");
      }
      if (inputs.contains("down")) {
        // What a remote model throws when the service, not an input, fails.
        throw new IllegalStateException("service down");
      }
      for (int i = 0; i < inputs.size(); i++) {
        results.complete(i, inputs.get(i).toUpperCase(java.util.Locale.ROOT));
      }
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  private InferenceBatcher<String, String> batcher(GatedWorker worker) {
    return InferenceBatcher.builder(optimizer, worker).name("test").maxBatchSize(8).build();
  }

  @Test
  void aCallCancelledBeforeItsBatchStartsIsNotSentToTheModel() throws Exception {
    GatedWorker worker = new GatedWorker();
    InferenceBatcher<String, String> batcher = batcher(worker);
    CompletableFuture<String> a = batcher.submit("a");
    assertThat(worker.started.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> b = batcher.submit("b");
    assertThat(b.cancel(true)).isTrue();
    CompletableFuture<String> late = batcher.submit("late").orTimeout(1, TimeUnit.NANOSECONDS);
    assertThatThrownBy(late::join).hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
    CompletableFuture<String> c = batcher.submit("c");
    worker.release.countDown();
    assertThat(c.get(10, TimeUnit.SECONDS)).isEqualTo("C");
    assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo("A");
    assertThat(worker.batches).containsExactly(List.of("a"), List.of("c"));
  }

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
  void aQueueShorterThanABatchIsRefusedNotRaised() {
    assertThatThrownBy(
            () ->
                InferenceBatcher.builder(optimizer, new GatedWorker())
                    .name("short")
                    .maxQueuedItems(10)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxQueuedItems must be in [maxBatchSize (64), 10000000], but was 10");
    assertThat(optimizer.knob("optimizer.ai.short.max_batch_size")).isEmpty();
  }

  @Test
  void closingABatcherTakesItsKnobsOutSoItsNameCanBeBuiltAgain() {
    GatedWorker worker = new GatedWorker();
    InferenceBatcher<String, String> first =
        InferenceBatcher.builder(optimizer, worker).name("x").build();
    first.close();
    assertThat(optimizer.knob("optimizer.ai.x.max_batch_size")).isEmpty();
    assertThat(optimizer.knob("optimizer.ai.x.max_delay_us")).isEmpty();
    InferenceBatcher<String, String> second =
        InferenceBatcher.builder(optimizer, new GatedWorker()).name("x").build();
    assertThat(optimizer.knob("optimizer.ai.x.max_batch_size").orElseThrow())
        .isSameAs(second.maxBatchSizeKnob());
    // The first batcher's close does not take the second's knobs, however often it runs.
    first.close();
    assertThat(optimizer.knob("optimizer.ai.x.max_delay_us")).isPresent();
    second.close();
    assertThat(worker.closed).isTrue();
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
  void oneBadInputFailsOnlyItsOwnCaller() throws Exception {
    GatedWorker worker = new GatedWorker();
    InferenceBatcher<String, String> batcher = batcher(worker);
    CompletableFuture<String> first = batcher.submit("a");
    assertThat(worker.started.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> x = batcher.submit("x");
    CompletableFuture<String> bad = batcher.submit("bad");
    CompletableFuture<String> y = batcher.submit("y");
    worker.release.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("A");
    assertThat(x.get(10, TimeUnit.SECONDS)).isEqualTo("X");
    assertThat(y.get(10, TimeUnit.SECONDS)).isEqualTo("Y");
    assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(InferenceFailedException.class)
        .hasMessageContaining("failed for this input")
        .hasRootCauseInstanceOf(IllegalArgumentException.class);
    assertThat(worker.batches)
        .containsExactly(
            List.of("a"), List.of("x", "bad", "y"), List.of("x"), List.of("bad"), List.of("y"));
  }

  /** A batcher that calls every IllegalStateException the service's, as for a remote model. */
  private InferenceBatcher<String, String> serviceAware(GatedWorker worker) {
    return InferenceBatcher.builder(optimizer, worker)
        .name("test")
        .maxBatchSize(8)
        .splitFailedBatchWhen(e -> !(e instanceof IllegalStateException))
        .build();
  }

  /** Submits {@code inputs} while "a" holds the worker, so that they become one batch. */
  private static List<CompletableFuture<String>> oneBatch(
      InferenceBatcher<String, String> batcher, GatedWorker worker, String... inputs)
      throws Exception {
    CompletableFuture<String> first = batcher.submit("a");
    assertThat(worker.started.await(10, TimeUnit.SECONDS)).isTrue();
    List<CompletableFuture<String>> futures = new ArrayList<>();
    for (String in : inputs) {
      futures.add(batcher.submit(in));
    }
    worker.release.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("A");
    return futures;
  }

  @Test
  void aFailureOfTheServiceFailsEveryCallerOfTheBatchWithoutRunningAnyAlone() throws Exception {
    GatedWorker worker = new GatedWorker();
    InferenceBatcher<String, String> batcher = serviceAware(worker);
    List<CompletableFuture<String>> futures = oneBatch(batcher, worker, "x", "down", "y");
    Set<Throwable> own = new java.util.HashSet<>();
    for (CompletableFuture<String> f : futures) {
      assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(InferenceFailedException.class)
          .hasMessageContaining("failed for the whole batch of 3")
          .cause()
          .isExactlyInstanceOf(IllegalStateException.class);
      assertThatThrownBy(() -> batcher.await(f))
          .isExactlyInstanceOf(IllegalStateException.class)
          .hasMessage("service down");
      own.add(
          f.handle(
                  (v, e) ->
                      e instanceof java.util.concurrent.CompletionException c ? c.getCause() : e)
              .get());
    }
    assertThat(own).as("each caller its own failed future").hasSize(3);
    assertThat(worker.batches).containsExactly(List.of("a"), List.of("x", "down", "y"));
  }

  @Test
  void aFailureOfTheServiceWhileInputsAreRunAloneStopsTheReRuns() throws Exception {
    GatedWorker worker = new GatedWorker();
    InferenceBatcher<String, String> batcher = serviceAware(worker);
    List<CompletableFuture<String>> futures =
        oneBatch(batcher, worker, "x", "bad", "down", "y", "z");
    assertThat(futures.get(0).get(10, TimeUnit.SECONDS)).isEqualTo("X");
    assertThatThrownBy(() -> batcher.await(futures.get(1)))
        .isExactlyInstanceOf(IllegalArgumentException.class);
    for (CompletableFuture<String> f : futures.subList(2, 5)) {
      assertThatThrownBy(() -> batcher.await(f))
          .isExactlyInstanceOf(IllegalStateException.class)
          .hasMessage("service down");
    }
    assertThat(worker.batches)
        .containsExactly(
            List.of("a"),
            List.of("x", "bad", "down", "y", "z"),
            List.of("x"),
            List.of("bad"),
            List.of("down"));
  }

  @Test
  void aSplitRuleThatThrowsRunsTheInputsAloneAsByDefault() throws Exception {
    GatedWorker worker = new GatedWorker();
    InferenceBatcher<String, String> batcher =
        InferenceBatcher.builder(optimizer, worker)
            .name("test")
            .splitFailedBatchWhen(
                e -> {
                  throw new UnsupportedOperationException("a broken rule");
                })
            .build();
    List<CompletableFuture<String>> futures = oneBatch(batcher, worker, "x", "bad");
    assertThat(futures.get(0).get(10, TimeUnit.SECONDS)).isEqualTo("X");
    assertThatThrownBy(() -> batcher.await(futures.get(1)))
        .isExactlyInstanceOf(IllegalArgumentException.class);
    assertThat(worker.batches)
        .containsExactly(List.of("a"), List.of("x", "bad"), List.of("x"), List.of("bad"));
  }

  @Test
  void aModelErrorReachesItsCallerTheSameAloneAsInABatch() throws Exception {
    GatedWorker worker = new GatedWorker();
    InferenceBatcher<String, String> batcher = batcher(worker);
    // In a batch of three: the batch fails, "bad" is re-run alone and fails again.
    CompletableFuture<String> first = batcher.submit("a");
    assertThat(worker.started.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> x = batcher.submit("x");
    CompletableFuture<String> inBatch = batcher.submit("bad");
    CompletableFuture<String> blocking = CompletableFuture.supplyAsync(() -> batcher.call("bad"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (batcher.stats().queuedItems() < 3) {
      assertThat(System.nanoTime() - deadline).isNegative();
      Thread.onSpinWait();
    }
    worker.release.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("A");
    assertThat(x.get(10, TimeUnit.SECONDS)).isEqualTo("X");
    // Alone from the start.
    CompletableFuture<String> alone = batcher.submit("bad");
    for (CompletableFuture<String> f : List.of(inBatch, alone)) {
      assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(InferenceFailedException.class)
          .hasCauseInstanceOf(IllegalArgumentException.class);
    }
    // The blocking form rethrows the model's own exception, whatever the batch was.
    assertThatThrownBy(() -> blocking.get(10, TimeUnit.SECONDS))
        .cause()
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("model cannot take 'bad'");
    assertThatThrownBy(() -> batcher.call("bad"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("model cannot take 'bad'");
  }

  @Test
  void aCallWhoseDeadlinePassedInTheQueueIsNotRun() throws Exception {
    GatedWorker worker = new GatedWorker();
    InferenceBatcher<String, String> batcher = batcher(worker);
    CompletableFuture<String> first = batcher.submit("a");
    assertThat(worker.started.await(10, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> late = batcher.submit("late", Duration.ofMillis(10));
    CompletableFuture<String> patient = batcher.submit("patient", Duration.ofSeconds(10));
    time.advance(Duration.ofMillis(20));
    worker.release.countDown();
    assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("A");
    assertThat(patient.get(10, TimeUnit.SECONDS)).isEqualTo("PATIENT");
    assertThatThrownBy(() -> late.get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(DeadlineExceededException.class)
        .hasMessageContaining("deadline of 10.0 ms passed after waiting 20.0 ms");
    assertThat(worker.batches).containsExactly(List.of("a"), List.of("patient"));
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

  @Test
  void aBuildThatFailsOnATakenKnobNameLeavesNothingBehind() {
    optimizer.register(Knob.ofInt("optimizer.ai.dup.max_batch_size", 1).range(1, 2).build());
    GatedWorker worker = new GatedWorker();
    assertThatThrownBy(() -> InferenceBatcher.builder(optimizer, worker).name("dup").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("optimizer.ai.dup.max_batch_size");
    // Neither its other knob nor the batcher's metric callbacks stay registered.
    assertThat(optimizer.knob("optimizer.ai.dup.max_delay_us")).isEmpty();
    assertThat(optimizer.knob("optimizer.ai.dup.max_batch_size")).isPresent();
    Set<String> batchers =
        reader.collectAllMetrics().stream()
            .flatMap(m -> m.getData().getPoints().stream())
            .map(p -> p.getAttributes().get(AttributeKey.stringKey("optimizer.batcher.name")))
            .filter(java.util.Objects::nonNull)
            .collect(Collectors.toSet());
    assertThat(batchers).doesNotContain("ai-dup");
    assertThat(worker.closed).as("workers given to a failed build stay the caller's").isFalse();
  }

  @Test
  void workersFromAFactoryAreMadeAtBuildAndClosedWhenItFails() {
    List<GatedWorker> made = new CopyOnWriteArrayList<>();
    java.util.function.Supplier<GatedWorker> factory =
        () -> {
          GatedWorker w = new GatedWorker();
          made.add(w);
          return w;
        };
    assertThatThrownBy(() -> InferenceBatcher.builder(optimizer, 2, factory).maxBatchSize(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(made).isEmpty();
    optimizer.register(Knob.ofInt("optimizer.ai.taken.max_delay_us", 1).range(1, 2).build());
    assertThatThrownBy(() -> InferenceBatcher.builder(optimizer, 2, factory).name("taken").build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(made).hasSize(2).allMatch(w -> w.closed);
  }

  @Test
  void buildingOnAClosedOptimizerIsRefusedBeforeAnythingStarts() {
    List<GatedWorker> made = new CopyOnWriteArrayList<>();
    java.util.function.Supplier<GatedWorker> factory =
        () -> {
          GatedWorker w = new GatedWorker();
          made.add(w);
          return w;
        };
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    optimizer.close();
    for (boolean tuning : List.of(true, false)) {
      assertThatThrownBy(
              () ->
                  InferenceBatcher.builder(optimizer, 2, factory)
                      .name("late")
                      .tuning(tuning)
                      .build())
          .isExactlyInstanceOf(IllegalStateException.class)
          .hasMessage("optimizer is closed: InferenceBatcher 'late' was not built");
    }
    GatedWorker given = new GatedWorker();
    assertThatThrownBy(() -> InferenceBatcher.builder(optimizer, given).name("late").build())
        .hasMessage("optimizer is closed: InferenceBatcher 'late' was not built");
    // No thread of its batcher, no instrument or callback on the meter, no knob, no worker made.
    assertThat(Thread.getAllStackTraces().keySet())
        .filteredOn(t -> !before.contains(t) && t.getName().startsWith("ai-late"))
        .isEmpty();
    Collection<MetricData> metrics = reader.collectAllMetrics();
    assertThat(metrics)
        .flatExtracting(m -> List.copyOf(m.getData().getPoints()))
        .extracting(p -> p.getAttributes().get(AttributeKey.stringKey("optimizer.batcher.name")))
        .doesNotContain("ai-late");
    assertThat(optimizer.knob("optimizer.ai.late.max_delay_us")).isEmpty();
    assertThat(optimizer.knob("optimizer.ai.late.max_batch_size")).isEmpty();
    assertThat(given.closed).as("workers given to a failed build stay the caller's").isFalse();
    assertThat(made).as("workers a factory would make for it").isEmpty();
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
  void itsKnobsAreRegisteredAndMoveTheBatcher() {
    GatedWorker worker = new GatedWorker();
    worker.release.countDown();
    InferenceBatcher<String, String> batcher = batcher(worker);
    assertThat(optimizer.knob("optimizer.ai.test.max_delay_us")).isPresent();
    assertThat(optimizer.knob("optimizer.ai.test.max_batch_size")).isPresent();
    batcher.maxBatchSizeKnob().set(3);
    assertThat(batcher.maxBatchSizeKnob().value()).isEqualTo(3);
    assertThatThrownBy(() -> batcher.maxBatchSizeKnob().set(9))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void badSettingsAreRefusedWithTheirRange() {
    GatedWorker worker = new GatedWorker();
    assertThatThrownBy(() -> InferenceBatcher.builder(optimizer, worker).maxBatchSize(0))
        .hasMessage("maxBatchSize must be in [1, 4096], but was 0");
    assertThatThrownBy(
            () -> InferenceBatcher.builder(optimizer, worker).maxDelay(Duration.ofSeconds(2)))
        .hasMessage("maxDelay must be in [PT0S, PT1S], but was PT2S");
    assertThatThrownBy(() -> InferenceBatcher.<String, String>builder(optimizer, List.of()))
        .hasMessage("workers must be in [1, 256], but was 0");
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
