package dev.optimizer.runtime.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConcurrencyLimiterTest {

  private final ManualTicker ticker = new ManualTicker();
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stopThreads() {
    pool.shutdownNow();
  }

  private ConcurrencyLimiterBuilder builder(int limit) {
    return ConcurrencyLimiter.builder().name("db").initialLimit(limit).ticker(ticker);
  }

  @Test
  void tryAcquireGrantsUpToTheLimit() {
    ConcurrencyLimiter limiter = builder(2).build();
    Permit a = limiter.tryAcquire().orElseThrow();
    Permit b = limiter.tryAcquire().orElseThrow();

    assertThat(limiter.tryAcquire()).isEmpty();
    a.onSuccess();
    a.onSuccess(); // a second report is ignored, not a second release
    assertThat(limiter.inFlight()).isOne();
    assertThat(limiter.tryAcquire()).isPresent();
    b.close();
    assertThat(limiter.stats()).isEqualTo(new ConcurrencyLimiter.Stats(2, 1, 0, 3, 0, 0, 0));
  }

  @Test
  void aTimeoutNamesTheLimiterState() {
    ConcurrencyLimiter limiter = builder(1).build();
    limiter.tryAcquire().orElseThrow();

    assertThatThrownBy(() -> limiter.acquire(Duration.ZERO))
        .isInstanceOf(LimitExceededException.class)
        .hasMessage(
            "ConcurrencyLimiter 'db' timed out after PT0S waiting for a permit (limit=1,"
                + " inFlight=1, queued=0)");
    // Through the queue, with a short real wait.
    assertThatThrownBy(() -> limiter.acquire(Duration.ofMillis(5)))
        .isInstanceOfSatisfying(
            LimitExceededException.class,
            e -> {
              assertThat(e.timedOut()).isTrue();
              assertThat(e.limit()).isOne();
              assertThat(e.inFlight()).isOne();
              assertThat(e.queued()).isZero();
            })
        .hasMessageContaining("timed out after PT0.005S");
    assertThat(limiter.queued()).as("a waiter that gave up leaves the queue").isZero();
    assertThat(limiter.stats().timedOut()).isEqualTo(2);
  }

  @Test
  void aFullQueueRejectsAtOnceWithASnapshot() throws Exception {
    ConcurrencyLimiter limiter = builder(1).maxQueued(1).build();
    limiter.tryAcquire().orElseThrow();
    Future<Permit> waiting = pool.submit(() -> limiter.acquire(Duration.ofSeconds(10)));
    awaitValue(limiter::queued, 1);

    assertThatThrownBy(() -> limiter.acquire(Duration.ofSeconds(10)))
        .isInstanceOf(LimitExceededException.class)
        .hasMessage(
            "ConcurrencyLimiter 'db' queue is full (limit=1, inFlight=1, queued=1, maxQueued=1)")
        .satisfies(e -> assertThat(((LimitExceededException) e).timedOut()).isFalse());
    assertThat(limiter.stats().rejected()).isOne();
    limiter.setLimit(2);
    assertThat(waiting.get(10, TimeUnit.SECONDS)).isNotNull();
  }

  @Test
  void raisingTheLimitWakesAsManyWaitersAsItMakesRoomFor() throws Exception {
    ConcurrencyLimiter limiter = builder(1).build();
    limiter.tryAcquire().orElseThrow();
    List<Future<Permit>> waiters = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      waiters.add(pool.submit(() -> limiter.acquire(Duration.ofSeconds(10))));
    }
    awaitValue(limiter::queued, 3);

    limiter.setLimit(3);
    assertThat(limiter.inFlight()).isEqualTo(3);
    assertThat(limiter.queued()).isOne();
    limiter.setLimit(4);
    assertThat(limiter.queued()).isZero();

    for (Future<Permit> waiter : waiters) {
      assertThat(waiter.get(10, TimeUnit.SECONDS)).isNotNull();
    }
  }

  @Test
  void aReleasedPermitGoesToTheOldestWaiterNotToANewcomer() throws Exception {
    ConcurrencyLimiter limiter = builder(1).build();
    Permit held = limiter.tryAcquire().orElseThrow();
    Future<Permit> waiter = pool.submit(() -> limiter.acquire(Duration.ofSeconds(10)));
    awaitValue(limiter::queued, 1);

    held.onSuccess();

    assertThat(limiter.tryAcquire()).isEmpty();
    waiter.get(10, TimeUnit.SECONDS).onSuccess();
    assertThat(limiter.tryAcquire()).isPresent();
  }

  @Test
  void loweringTheLimitRevokesNothing() {
    ConcurrencyLimiter limiter = builder(3).build();
    List<Permit> held = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      held.add(limiter.tryAcquire().orElseThrow());
    }

    limiter.setLimit(1);

    assertThat(limiter.inFlight()).isEqualTo(3);
    held.get(0).onSuccess();
    held.get(1).onSuccess();
    assertThat(limiter.tryAcquire()).as("still at the new limit").isEmpty();
    held.get(2).onSuccess();
    assertThat(limiter.tryAcquire()).isPresent();
  }

  @Test
  void listenersGetRoundTripSamplesButNotIgnoredCalls() {
    List<String> samples = new CopyOnWriteArrayList<>();
    ConcurrencyLimiter limiter =
        builder(5)
            .addListener(
                (start, rtt, inflight, dropped) ->
                    samples.add(rtt + "/" + inflight + "/" + dropped))
            .addListener(
                (start, rtt, inflight, dropped) -> {
                  throw new IllegalStateException("a broken listener must not break the call");
                })
            .build();

    Permit first = limiter.tryAcquire().orElseThrow();
    Permit second = limiter.tryAcquire().orElseThrow();
    ticker.advance(Duration.ofMillis(7));
    first.onSuccess();
    ticker.advance(Duration.ofMillis(1));
    second.onDropped();
    try (Permit third = limiter.tryAcquire().orElseThrow()) {
      third.onIgnore();
    }
    try (Permit fourth = limiter.tryAcquire().orElseThrow()) {
      assertThat(fourth).isNotNull(); // closed without a report: no sample
    }

    assertThat(samples).containsExactly("7000000/1/false", "8000000/2/true");
    assertThat(limiter.stats().dropped()).isOne();
    assertThat(limiter.inFlight()).isZero();
  }

  @Test
  void anInterruptedWaiterLeavesTheQueue() throws Exception {
    ConcurrencyLimiter limiter = builder(1).build();
    limiter.tryAcquire().orElseThrow();
    Future<Permit> waiter = pool.submit(() -> limiter.acquire(Duration.ofSeconds(10)));
    awaitValue(limiter::queued, 1);

    waiter.cancel(true);

    awaitValue(limiter::queued, 0);
    assertThat(limiter.inFlight()).isOne();
  }

  @Test
  void limitsAreCheckedAgainstTheBuildersBounds() {
    ConcurrencyLimiter limiter = builder(10).minLimit(2).maxLimit(50).build();
    assertThatThrownBy(() -> limiter.setLimit(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("limit must be in [2, 50], but was 1");
    assertThatThrownBy(() -> limiter.setLimit(51))
        .hasMessage("limit must be in [2, 50], but was 51");
    assertThatThrownBy(() -> limiter.acquire(Duration.ofMillis(-1)))
        .hasMessage("timeout must be in [PT0S, PT24H], but was PT-0.001S");
    limiter.setLimit(50);
    assertThat(limiter.limit()).isEqualTo(50);
  }

  @Test
  void builderRejectsBadSettingsNamingSettingRangeAndValue() {
    assertThatThrownBy(() -> ConcurrencyLimiter.builder().initialLimit(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initialLimit must be in [1, 100000], but was 0");
    assertThatThrownBy(() -> ConcurrencyLimiter.builder().maxQueued(-1))
        .hasMessage("maxQueued must be in [0, 1000000], but was -1");
    assertThatThrownBy(() -> ConcurrencyLimiter.builder().initialLimit(500).maxLimit(100).build())
        .hasMessage("initialLimit must be in [1, 100], but was 500");
    assertThatThrownBy(() -> ConcurrencyLimiter.builder().minLimit(10).maxLimit(5).build())
        .hasMessage("minLimit must be <= maxLimit, but minLimit was 10 and maxLimit was 5");
    assertThatThrownBy(() -> ConcurrencyLimiter.builder().maxQueued(1).maxQueued(2))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxQueued was already set");
    assertThat(ConcurrencyLimiter.builder().maxLimit(5).build().limit()).isEqualTo(5);
    assertThat(ConcurrencyLimiter.builder().build().limit()).isEqualTo(20);
  }

  @Test
  void neverMorePermitsInFlightThanTheLimitUnderContention() throws Exception {
    ConcurrencyLimiter limiter = ConcurrencyLimiter.builder().initialLimit(3).build();
    AtomicInteger current = new AtomicInteger();
    AtomicInteger peak = new AtomicInteger();
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      workers.add(
          pool.submit(
              () -> {
                for (int i = 0; i < 500; i++) {
                  Permit permit = limiter.acquire(Duration.ofSeconds(10));
                  peak.accumulateAndGet(current.incrementAndGet(), Math::max);
                  current.decrementAndGet();
                  permit.onSuccess();
                }
                return null;
              }));
    }
    for (Future<?> worker : workers) {
      worker.get(20, TimeUnit.SECONDS);
    }
    assertThat(peak.get()).isBetween(1, 3);
    assertThat(limiter.stats().acquired()).isEqualTo(4000);
    assertThat(limiter.inFlight()).isZero();
  }

  private static void awaitValue(IntSupplier value, int expected) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (value.getAsInt() != expected) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("expected " + expected + " but stayed at " + value.getAsInt());
      }
      Thread.onSpinWait();
    }
  }
}
