package dev.optimizer.runtime.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConcurrencyLimiterAsyncTest {

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  private ConcurrencyLimiter limiter(int limit, int maxQueued) {
    return ConcurrencyLimiter.builder()
        .name("api")
        .initialLimit(limit)
        .maxQueued(maxQueued)
        .ticker(new ManualTicker())
        .build();
  }

  @Test
  void grantsAtOnceBelowTheLimitAndQueuesAboveItInOrder() throws Exception {
    ConcurrencyLimiter limiter = limiter(1, 10);
    Permit first = limiter.acquireAsync(Duration.ofSeconds(10), timer).get();
    CompletableFuture<Permit> second = limiter.acquireAsync(Duration.ofSeconds(10), timer);
    CompletableFuture<Permit> third = limiter.acquireAsync(Duration.ofSeconds(10), timer);

    assertThat(second).isNotDone();
    assertThat(limiter.queued()).isEqualTo(2);
    first.onSuccess();
    assertThat(second).isCompleted();
    assertThat(third).isNotDone();
    second.get().onSuccess();
    assertThat(third).isCompleted();
    third.get().close();
    assertThat(limiter.inFlight()).isZero();
    assertThat(limiter.stats().acquired()).isEqualTo(3);
  }

  @Test
  void aFullQueueAndATimeoutFailTheFutureWithTheLimiterState() throws Exception {
    ConcurrencyLimiter limiter = limiter(1, 1);
    limiter.tryAcquire().orElseThrow();
    // Long enough that a stall between these two lines cannot time it out before the refusal.
    CompletableFuture<Permit> queued = limiter.acquireAsync(Duration.ofMillis(500), timer);
    CompletableFuture<Permit> refused = limiter.acquireAsync(Duration.ofSeconds(10), timer);

    assertThatThrownBy(refused::get)
        .hasCauseInstanceOf(LimitExceededException.class)
        .hasMessageContaining("queue is full (limit=1, inFlight=1, queued=1, maxQueued=1)");
    assertThatThrownBy(() -> queued.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            LimitExceededException.class, e -> assertThat(e.timedOut()).isTrue());
    assertThat(limiter.queued()).isZero();
    assertThat(limiter.stats().timedOut()).isOne();
    assertThat(limiter.stats().rejected()).isOne();
  }

  @Test
  void zeroTimeoutDoesNotQueue() {
    ConcurrencyLimiter limiter = limiter(1, 10);
    limiter.tryAcquire().orElseThrow();

    assertThat(limiter.acquireAsync(Duration.ZERO, timer)).isCompletedExceptionally();
    assertThat(limiter.queued()).isZero();
  }

  @Test
  void cancellingLeavesTheQueueAndNeverLeaksAPermit() throws Exception {
    ConcurrencyLimiter limiter = limiter(1, 10);
    Permit held = limiter.tryAcquire().orElseThrow();
    CompletableFuture<Permit> cancelled = limiter.acquireAsync(Duration.ofSeconds(10), timer);
    CompletableFuture<Permit> next = limiter.acquireAsync(Duration.ofSeconds(10), timer);

    cancelled.cancel(false);
    assertThat(limiter.queued()).isOne();
    held.onSuccess();
    assertThat(next).isCompleted();
    next.get().onSuccess();
    assertThat(limiter.inFlight()).isZero();
  }

  @Test
  void aFutureTheCallerFailsLeavesTheQueueAsACancelledOneDoes() throws Exception {
    // orTimeout (or completeExceptionally) is how a caller gives up on a CompletableFuture; the
    // waiter must not stay queued, holding a place against maxQueued with no timeout left.
    ConcurrencyLimiter limiter = limiter(1, 1);
    Permit held = limiter.tryAcquire().orElseThrow();
    CompletableFuture<Permit> givenUp = limiter.acquireAsync(Duration.ofDays(1), timer);

    givenUp.completeExceptionally(new java.util.concurrent.TimeoutException("caller gave up"));

    assertThat(limiter.queued()).isZero();
    CompletableFuture<Permit> next = limiter.acquireAsync(Duration.ofDays(1), timer);
    assertThat(next).isNotDone(); // queued, not refused as "queue is full"
    held.onSuccess();
    assertThat(next).isCompleted();
    next.get().onSuccess();
    assertThat(limiter.inFlight()).isZero();
    assertThat(limiter.stats().acquired()).isEqualTo(2); // the given-up waiter was never granted
  }

  @Test
  void raisingTheLimitGrantsWaiters() {
    ConcurrencyLimiter limiter = limiter(1, 10);
    limiter.tryAcquire().orElseThrow();
    List<CompletableFuture<Permit>> waiting = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      waiting.add(limiter.acquireAsync(Duration.ofSeconds(10), timer));
    }

    limiter.setLimit(3);
    assertThat(waiting.stream().filter(CompletableFuture::isDone).count()).isEqualTo(2);
    assertThat(limiter.inFlight()).isEqualTo(3);
  }

  @Test
  void aShutDownTimerFailsTheFutureAndLeavesNoWaiterToHoldAPermit() throws Exception {
    ConcurrencyLimiter limiter = limiter(1, 10);
    Permit held = limiter.tryAcquire().orElseThrow();
    ScheduledExecutorService stopped = Executors.newSingleThreadScheduledExecutor();
    stopped.shutdown();

    CompletableFuture<Permit> refused = limiter.acquireAsync(Duration.ofSeconds(1), stopped);

    assertThatThrownBy(refused::get)
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(java.util.concurrent.RejectedExecutionException.class);
    assertThat(limiter.queued()).isZero();
    held.onSuccess();
    assertThat(limiter.inFlight()).isZero();
    assertThat(limiter.tryAcquire()).isPresent();
  }
}
