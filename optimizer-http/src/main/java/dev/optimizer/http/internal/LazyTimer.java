package dev.optimizer.http.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;

/**
 * A timer for delays that are nearly always cancelled before they fire: a hedge or a request's
 * deadline, one or two per request. {@link java.util.concurrent.ScheduledThreadPoolExecutor} is a
 * poor fit there. A task that becomes its earliest wakes its thread at once, so with requests
 * answered before their delay the caller pays a thread wake-up (a system call) on nearly every
 * request; and its thread wakes again at each task's own deadline.
 *
 * <p>Cancelling an entry only drops the task it held; the entry stays queued until the thread next
 * looks, which then drops cancelled entries ahead of the earliest live one and sleeps until that
 * one (keeping the last entry, so that it always has a plan). A new deadline rarely comes before
 * the planned one, and the thread is woken only when it does. With requests answered well within
 * their delay the thread so wakes about once per delay, not once per request. Each task may fire up
 * to its {@code slack} after its deadline, so that one wake-up serves every deadline in that span.
 * Cancelled entries are also purged once they outnumber live ones by more than {@value
 * #PURGE_SLACK}, which bounds what long delays keep.
 *
 * <p>Tasks run on the timer's single daemon thread, started at the first {@link #schedule}; they
 * must be short. A task that throws does not stop the timer. Thread-safe.
 */
public final class LazyTimer implements AutoCloseable {
  private static final int PURGE_SLACK = 1024;
  private static final long IDLE = Long.MAX_VALUE;

  private final String threadName;
  private final PriorityQueue<Entry> queue =
      new PriorityQueue<>((a, b) -> Long.compare(a.deadline, b.deadline)); // guarded by this
  private int cancelled; // guarded by this; cancelled entries still in the queue
  private long plannedWake = IDLE; // guarded by this; when the thread will look next
  private Thread thread; // guarded by this
  private volatile boolean closed; // written under this; volatile for isClosed() on every request
  private long signals; // guarded by this; wake-ups asked for by schedule()
  private long looks; // guarded by this; times the thread looked at the queue

  /** A timer whose thread, once started, is called {@code threadName}. */
  public LazyTimer(String threadName) {
    this.threadName = threadName;
  }

  /**
   * The slack for a deadline {@code delayNanos} away: 1/64 of it, at most 10 ms. A request that
   * times out a little late loses nothing, and one wake-up then serves many requests' deadlines.
   */
  public static long deadlineSlack(long delayNanos) {
    return Math.min(delayNanos / 64, 10_000_000L);
  }

  /** A scheduled task; cancelling one that has run or was cancelled does nothing. */
  public static final class Entry {
    private final LazyTimer timer;
    final long deadline;
    final long latest;
    private Runnable task; // guarded by timer; null once run or cancelled

    private Entry(LazyTimer timer, long deadline, long latest, Runnable task) {
      this.timer = timer;
      this.deadline = deadline;
      this.latest = latest;
      this.task = task;
    }

    /** Stops the task from running, if it has not yet started. */
    public void cancel() {
      timer.cancel(this);
    }
  }

  /**
   * Runs {@code task} once, no earlier than {@code delayNanos} from now and, unless the machine
   * stalls, no later than {@code slackNanos} after that.
   *
   * @throws RejectedExecutionException once the timer is closed
   */
  public Entry schedule(Runnable task, long delayNanos, long slackNanos) {
    long now = System.nanoTime();
    long deadline = now + Math.max(0, delayNanos);
    Entry e = new Entry(this, deadline, deadline + Math.max(0, slackNanos), task);
    boolean wake;
    synchronized (this) {
      if (closed) {
        throw new RejectedExecutionException("the timer is closed");
      }
      queue.add(e);
      if (thread == null) {
        thread = new Thread(this::loop, threadName);
        thread.setDaemon(true);
        thread.start();
      }
      wake = plannedWake == IDLE || e.latest - plannedWake < 0;
      if (wake) {
        plannedWake = e.latest;
        signals++;
      }
    }
    if (wake) {
      LockSupport.unpark(thread);
    }
    return e;
  }

  private synchronized void cancel(Entry e) {
    if (e.task == null) {
      return;
    }
    e.task = null;
    if (++cancelled > queue.size() - cancelled + PURGE_SLACK) {
      queue.removeIf(x -> x.task == null);
      cancelled = 0;
    }
  }

  /** Whether {@link #close()} was called: {@link #schedule} then refuses every task. */
  public boolean isClosed() {
    return closed;
  }

  /** How many entries, live or cancelled, are held; for tests. */
  synchronized int held() {
    return queue.size();
  }

  /** How many times {@link #schedule} had to wake the thread; for tests. */
  synchronized long signals() {
    return signals;
  }

  /** How many times the thread has looked at the queue (woken, for whatever reason); for tests. */
  synchronized long looks() {
    return looks;
  }

  private void loop() {
    List<Runnable> due = new ArrayList<>();
    while (true) {
      long sleep;
      synchronized (this) {
        if (closed) {
          return;
        }
        looks++;
        long now = System.nanoTime();
        Entry head;
        while ((head = queue.peek()) != null && head.deadline - now <= 0) {
          queue.poll();
          if (head.task == null) {
            cancelled--;
          } else {
            due.add(head.task);
            head.task = null;
          }
        }
        // Cancelled entries at the head are dropped before they are due, so the thread sleeps
        // until the earliest live one: with requests answered well within their delay it then
        // wakes about once per delay, not once per request. The last entry stays even when
        // cancelled, so that the plan is not IDLE and the next schedule() need not wake the thread.
        while (head != null && head.task == null && queue.size() > 1) {
          queue.poll();
          cancelled--;
          head = queue.peek();
        }
        // Sleep until the earliest latest-firing time among the first entries. Entries are ordered
        // by deadline; one with a later deadline but a smaller slack fires at most the head's slack
        // late, which is why the plan looks at the head only.
        plannedWake = head == null ? IDLE : head.latest;
        sleep = head == null ? -1 : Math.max(1, head.latest - now);
      }
      for (Runnable task : due) {
        try {
          task.run();
        } catch (VirtualMachineError fatal) {
          throw fatal;
        } catch (Throwable t) {
          // A failing task must not stop the timer; our tasks complete their own futures.
        }
      }
      if (!due.isEmpty()) {
        due.clear();
        continue; // a task may have scheduled another that is already due
      }
      if (sleep < 0) {
        LockSupport.park(this);
      } else {
        LockSupport.parkNanos(this, sleep);
      }
    }
  }

  /** Stops the thread; tasks not yet run never run. Idempotent. */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      for (Entry e : queue) {
        e.task = null;
      }
      queue.clear();
      cancelled = 0;
      t = thread;
    }
    if (t != null) {
      LockSupport.unpark(t);
    }
  }
}
