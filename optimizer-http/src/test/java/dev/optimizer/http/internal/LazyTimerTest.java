package dev.optimizer.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LazyTimerTest {
  private final LazyTimer timer = new LazyTimer("lazy-timer-test");

  @AfterEach
  void close() {
    timer.close();
  }

  @Test
  void runsATaskNoEarlierThanItsDelay() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    long[] at = new long[1];
    long start = System.nanoTime();
    timer.schedule(
        () -> {
          at[0] = System.nanoTime();
          ran.countDown();
        },
        Duration.ofMillis(20).toNanos(),
        Duration.ofMillis(1).toNanos());
    assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(at[0] - start).isGreaterThanOrEqualTo(Duration.ofMillis(20).toNanos());
  }

  @Test
  void aCancelledTaskNeverRunsAndLaterOnesStillDo() throws Exception {
    // The thread is held in a task while the others are scheduled and one cancelled, so that the
    // cancel cannot lose a race with a deadline that passed (a busy machine stalls for 1 ms).
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    timer.schedule(
        () -> {
          holding.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        },
        0,
        0);
    assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
    AtomicInteger cancelledRuns = new AtomicInteger();
    LazyTimer.Entry e = timer.schedule(cancelledRuns::incrementAndGet, 0, 0);
    e.cancel();
    e.cancel(); // idempotent
    CountDownLatch ran = new CountDownLatch(1);
    timer.schedule(ran::countDown, 0, 0);
    release.countDown();
    assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(cancelledRuns).hasValue(0);
  }

  @Test
  void aLaterDeadlineDoesNotWakeTheThreadButAnEarlierOneDoes() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    timer.schedule(() -> {}, Duration.ofHours(1).toNanos(), 0); // the thread now sleeps an hour
    long before = timer.signals();
    for (int i = 0; i < 100; i++) {
      timer.schedule(() -> {}, Duration.ofHours(2).toNanos() + i, 0).cancel();
    }
    assertThat(timer.signals()).isEqualTo(before); // later than the plan: no wake-up
    timer.schedule(ran::countDown, Duration.ofMillis(5).toNanos(), 0);
    assertThat(timer.signals()).isEqualTo(before + 1);
    assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue(); // the earlier task was not left waiting
  }

  @Test
  void requestsThatCancelTheirTasksDoNotWakeTheThreadEachTime() {
    // The pattern of hedges and deadlines: each request schedules a task and cancels it when it is
    // answered, long before the delay. Only the first needs the thread woken.
    long before = timer.signals();
    for (int i = 0; i < 1_000; i++) {
      timer.schedule(() -> {}, Duration.ofSeconds(10).toNanos(), 0).cancel();
    }
    assertThat(timer.signals() - before).isEqualTo(1);
  }

  @Test
  void theThreadWakesAboutOncePerDelayNotOncePerCancelledTask() {
    // Requests answered well within their delay, one after another for ten delays: the thread
    // should look about once per delay, when the in-flight request's task is due, and drop the
    // cancelled ones ahead of it unseen (it used to wake for each of them, once per request).
    long delay = Duration.ofMillis(20).toNanos();
    LazyTimer.Entry inFlight = timer.schedule(() -> {}, delay, 0);
    long lookedBefore = timer.looks();
    long start = System.nanoTime();
    int requests = 2_000;
    for (int i = 0; i < requests; i++) {
      LazyTimer.Entry next = timer.schedule(() -> {}, delay, 0);
      inFlight.cancel();
      inFlight = next;
      for (int spin = 0; spin < 2_000; spin++) {
        Thread.onSpinWait(); // a request's length, a few microseconds
      }
    }
    // Bounded by the time the requests took, not by a throughput this machine may not have.
    long delays = (System.nanoTime() - start) / delay + 1;
    long looks = timer.looks() - lookedBefore;
    assertThat(looks).as("%d delays", delays).isLessThanOrEqualTo(3 * delays + 10);
    assertThat(looks).as("%d delays", delays).isLessThan(requests / 2);
  }

  @Test
  void cancelledEntriesWithLongDelaysArePurged() {
    List<LazyTimer.Entry> live = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      live.add(timer.schedule(() -> {}, Duration.ofHours(1).toNanos(), 0));
    }
    for (int i = 0; i < 10_000; i++) {
      timer.schedule(() -> {}, Duration.ofHours(1).toNanos(), 0).cancel();
    }
    assertThat(timer.held()).isLessThanOrEqualTo(live.size() * 2 + 1025);
    assertThat(timer.held()).isGreaterThanOrEqualTo(live.size());
  }

  @Test
  void aTaskThatThrowsDoesNotStopTheTimer() throws Exception {
    timer.schedule(
        () -> {
          throw new IllegalStateException("boom");
        },
        0,
        0);
    CountDownLatch ran = new CountDownLatch(1);
    timer.schedule(ran::countDown, 2_000_000, 0);
    assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void closeDropsPendingTasksAndRefusesNewOnes() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    timer.schedule(runs::incrementAndGet, Duration.ofMillis(50).toNanos(), 0);
    assertThat(timer.isClosed()).isFalse();
    timer.close();
    timer.close(); // idempotent
    assertThat(timer.isClosed()).isTrue();
    assertThat(timer.held()).isZero();
    assertThatThrownBy(() -> timer.schedule(() -> {}, 0, 0))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessageContaining("closed");
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (threadAlive() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(threadAlive()).isFalse();
    assertThat(runs).hasValue(0);
  }

  private static boolean threadAlive() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals("lazy-timer-test") && t.isAlive());
  }
}
