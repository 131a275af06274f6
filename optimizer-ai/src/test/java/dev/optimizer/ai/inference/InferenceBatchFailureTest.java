package dev.optimizer.ai.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What each caller of a batch gets when its own item cannot be run or the model fails: a deadline
 * passed or a call abandoned in the queue, one bad input, a failure of the whole service, and the
 * {@code splitFailedBatchWhen} rule between the last two.
 */
class InferenceBatchFailureTest extends BatcherFixture {

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
}
