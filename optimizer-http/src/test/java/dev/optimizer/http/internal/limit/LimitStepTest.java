package dev.optimizer.http.internal.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.HttpStats;
import dev.optimizer.http.internal.Reply;
import dev.optimizer.http.internal.TestCalls;
import dev.optimizer.runtime.Optimizer;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The queue timeouts of the limit run on the HttpOptimizer's timer, which closing shuts down with
 * {@code shutdownNow}, dropping them unrun: a request queued for a permit must then fail, not wait
 * for a permit that may never free up (and be sent after close once one does).
 */
class LimitStepTest {
  private static final URI URL = URI.create("http://localhost:1/item");

  private final Optimizer optimizer =
      Optimizer.builder().openTelemetry(OpenTelemetry.noop()).manualTuning().build();
  private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
  private final LimitStep step =
      new LimitStep(
          optimizer,
          "limit-step-test",
          new HostLimit.Settings(1, 1, 1, 10, Duration.ofMinutes(10), false, Duration.ofMillis(10)),
          timer,
          new HttpStats());
  private final AtomicInteger sent = new AtomicInteger();

  @AfterEach
  void close() {
    timer.shutdownNow();
    step.close();
    optimizer.close();
  }

  private static HttpCall get() {
    return TestCalls.get(URL);
  }

  private static Reply ok() {
    return TestCalls.ok(URL);
  }

  @Test
  void aRequestQueuedWhenTheTimerShutsDownFailsAndLeavesTheQueue() throws Exception {
    CompletableFuture<Reply> firstAnswer = new CompletableFuture<>();
    CompletableFuture<Reply> first =
        step.apply(
            get(),
            c -> {
              sent.incrementAndGet();
              return firstAnswer;
            });
    CompletableFuture<Reply> queued =
        step.apply(
            get(),
            c -> {
              sent.incrementAndGet();
              return CompletableFuture.completedFuture(ok());
            });
    assertThat(step.host("localhost:1").limiter().queued()).isEqualTo(1);

    // What HttpOptimizer.close() does: the timer first (its queue timeout dropped unrun), then the
    // steps.
    timer.shutdownNow();
    step.close();

    assertThat(queued).isCompletedExceptionally();
    assertThat(cause(queued))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("HttpOptimizer is closed")
        .hasMessageContaining("localhost:1");
    assertThat(step.host("localhost:1").limiter().queued()).isZero();
    // The permit the first request frees goes to nobody: the queued request is never sent.
    firstAnswer.complete(ok());
    assertThat(first.get().status()).isEqualTo(200);
    assertThat(sent).hasValue(1);
    assertThat(step.host("localhost:1").limiter().inFlight()).isZero();
  }

  @Test
  void aRequestQueuedAfterTheTimerShutDownFailsAsClosed() throws Exception {
    CompletableFuture<Reply> first = step.apply(get(), c -> new CompletableFuture<>());
    timer.shutdownNow(); // the HttpOptimizer closes while the next request is on its way

    CompletableFuture<Reply> late =
        step.apply(
            get(),
            c -> {
              sent.incrementAndGet();
              return CompletableFuture.completedFuture(ok());
            });

    assertThat(cause(late))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("HttpOptimizer is closed");
    assertThat(step.host("localhost:1").limiter().queued()).isZero();
    assertThat(sent).hasValue(0);
    first.cancel(true);
  }

  private static Throwable cause(CompletableFuture<?> f) {
    try {
      f.get();
      throw new AssertionError("completed normally");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
