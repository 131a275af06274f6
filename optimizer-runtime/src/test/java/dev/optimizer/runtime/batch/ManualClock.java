package dev.optimizer.runtime.batch;

import dev.optimizer.api.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A ticker and a {@link FlushScheduler} stepped by hand: {@link #advance} moves time and runs the
 * flush tasks that have come due, on the calling thread, in due order.
 */
final class ManualClock implements Ticker, FlushScheduler {

  private long now = 1_000_000_000L;
  private long sequence;
  private final List<Task> tasks = new ArrayList<>();

  @Override
  public synchronized long read() {
    return now;
  }

  @Override
  public synchronized Handle schedule(Runnable task, long delayNanos) {
    Task scheduled = new Task(now + delayNanos, sequence++, task);
    tasks.add(scheduled);
    return () -> {
      synchronized (ManualClock.this) {
        tasks.remove(scheduled);
      }
    };
  }

  /** Returns the number of scheduled, not yet run, not cancelled tasks. */
  synchronized int pending() {
    return tasks.size();
  }

  /** Returns the delay of the most recently scheduled pending task, from now. */
  synchronized long lastScheduledDelayNanos() {
    return tasks.get(tasks.size() - 1).due - now;
  }

  void advance(Duration duration) {
    long target;
    synchronized (this) {
      target = now + duration.toNanos();
    }
    while (true) {
      Task next;
      synchronized (this) {
        next =
            tasks.stream()
                .filter(t -> t.due <= target)
                .min(Comparator.comparingLong((Task t) -> t.due).thenComparingLong(t -> t.seq))
                .orElse(null);
        if (next == null) {
          now = target;
          return;
        }
        tasks.remove(next);
        now = Math.max(now, next.due);
      }
      next.runnable.run(); // outside the lock: the task takes the batcher's lock
    }
  }

  private record Task(long due, long seq, Runnable runnable) {}
}
