package dev.optimizer.runtime.limit;

import dev.optimizer.api.Ticker;
import dev.optimizer.api.internal.Checks;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Caps the number of calls in flight at a limit that may change at run time ({@link #setLimit}, the
 * knob an AIMD or gradient controller moves from the samples it gets as a {@link LimiterListener}).
 *
 * <p>{@link #tryAcquire()} answers at once; {@link #acquire(Duration)} waits in a FIFO queue of at
 * most {@code maxQueued} callers; {@link #acquireAsync} waits in the same queue without blocking a
 * thread. A freed permit is handed to the longest waiter directly, so a newcomer never overtakes
 * the queue. Lowering the limit revokes nothing: permits already granted stay valid, and new ones
 * are granted only once the calls in flight have fallen below the new limit. Raising it wakes as
 * many waiters as it makes room for.
 *
 * <pre>{@code
 * ConcurrencyLimiter limiter =
 *     ConcurrencyLimiter.builder().name("inventory-api").initialLimit(10).maxLimit(200).build();
 * try (Permit permit = limiter.acquire(Duration.ofMillis(50))) {
 *   Response response = client.call(request);
 *   permit.onSuccess();
 *   return response;
 * }
 * }</pre>
 *
 * <p>Waiting uses real time; the injected {@link Ticker} times the calls for the listeners.
 * Thread-safe; no threads of its own.
 */
public final class ConcurrencyLimiter {

  static final int MAX_LIMIT = 100_000;
  static final int MAX_QUEUED = 1_000_000;
  static final Duration MAX_TIMEOUT = Duration.ofDays(1);

  private static final System.Logger LOG = System.getLogger(ConcurrencyLimiter.class.getName());

  private final String name;
  private final int minLimit;
  private final int maxLimit;
  private final int maxQueued;
  private final Ticker ticker;
  private final List<LimiterListener> listeners;

  private final ReentrantLock lock = new ReentrantLock();
  private final ThreadLocal<ArrayDeque<AsyncWaiter>> granted =
      ThreadLocal.withInitial(ArrayDeque::new);

  // Guarded by lock.
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  private int limit;
  private int inFlight;
  private long acquired;
  private long rejected;
  private long timedOut;
  private long dropped;

  ConcurrencyLimiter(ConcurrencyLimiterBuilder b) {
    this.name = b.name;
    this.minLimit = b.minLimit;
    this.maxLimit = b.maxLimit;
    this.limit = b.initialLimit;
    this.maxQueued = b.maxQueued;
    this.ticker = b.ticker;
    this.listeners = List.copyOf(b.listeners);
  }

  /** Starts a builder. */
  public static ConcurrencyLimiterBuilder builder() {
    return new ConcurrencyLimiterBuilder();
  }

  /** Returns a permit if one is free now, without waiting and without queueing. */
  public Optional<Permit> tryAcquire() {
    lock.lock();
    try {
      if (inFlight < limit) {
        return Optional.of(grantLocked());
      }
      return Optional.empty();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns a permit, waiting up to {@code timeout} for one in a FIFO queue.
   *
   * @param timeout how long to wait, in {@code [0, 1d]}; zero does not queue
   * @throws LimitExceededException if {@code maxQueued} callers are waiting already, or if no
   *     permit freed up within {@code timeout}; the message gives the limiter's state
   * @throws InterruptedException if interrupted while waiting
   */
  public Permit acquire(Duration timeout) throws InterruptedException {
    long remaining = Checks.inRange("timeout", timeout, Duration.ZERO, MAX_TIMEOUT).toNanos();
    lock.lockInterruptibly();
    try {
      if (inFlight < limit) {
        return grantLocked();
      }
      if (remaining == 0) {
        timedOut++;
        throw refusal(true, timeout);
      }
      if (waiters.size() >= maxQueued) {
        rejected++;
        throw refusal(false, timeout);
      }
      Waiter waiter = new Waiter(lock.newCondition());
      waiters.add(waiter);
      try {
        while (waiter.permit == null) {
          if (remaining <= 0) {
            waiters.remove(waiter);
            timedOut++;
            throw refusal(true, timeout);
          }
          remaining = waiter.wakeUp.awaitNanos(remaining);
        }
      } catch (InterruptedException e) {
        if (waiter.permit != null) {
          // Granted in the same instant as interrupted: pass the permit on rather than leak it.
          inFlight--;
          grantWaitersLocked();
        } else {
          waiters.remove(waiter);
        }
        throw e;
      }
      return waiter.permit;
    } finally {
      lock.unlock();
      completeGranted();
    }
  }

  /**
   * Asynchronous twin of {@link #acquire(Duration)}: returns a future of a permit that waits in the
   * same FIFO queue without blocking a thread. The future fails with a {@link
   * LimitExceededException} if the queue is full or no permit freed up within {@code timeout}
   * (measured by {@code timer}). Cancelling the future, or completing it otherwise (say with {@code
   * orTimeout}), leaves the queue; a permit granted in the same instant is passed on, never leaked.
   * The future may complete on the thread that released a permit, or on the timer's thread.
   *
   * <p>The timeout is a task of {@code timer}. A timer shut down after the waiter was queued, with
   * {@code shutdownNow} (or set not to run delayed tasks after {@code shutdown}), drops it unrun:
   * the waiter then waits until granted, however long that takes. Whoever shuts the timer down
   * should fail or cancel the futures still waiting, which takes them out of the queue.
   *
   * @param timeout how long to wait, in {@code [0, 1d]}; zero does not queue
   * @param timer schedules the timeout; if it refuses (shut down), the future fails with its
   *     exception and the caller does not stay queued
   */
  public CompletableFuture<Permit> acquireAsync(Duration timeout, ScheduledExecutorService timer) {
    long nanos = Checks.inRange("timeout", timeout, Duration.ZERO, MAX_TIMEOUT).toNanos();
    Checks.notNull("timer", timer);
    AsyncWaiter waiter;
    lock.lock();
    try {
      if (inFlight < limit) {
        return CompletableFuture.completedFuture(grantLocked());
      }
      if (nanos == 0) {
        timedOut++;
        return CompletableFuture.failedFuture(refusal(true, timeout));
      }
      if (waiters.size() >= maxQueued) {
        rejected++;
        return CompletableFuture.failedFuture(refusal(false, timeout));
      }
      waiter = new AsyncWaiter();
      waiters.add(waiter);
    } finally {
      lock.unlock();
    }
    ScheduledFuture<?> timeoutTask;
    try {
      timeoutTask = timer.schedule(() -> abandon(waiter, timeout), nanos, TimeUnit.NANOSECONDS);
    } catch (RuntimeException e) {
      // A shut-down timer: leave the queue, or a later release grants a permit nobody holds.
      abandon(waiter, null);
      // Granted in the meantime and already completed: the caller has its permit after all. If
      // granted but not yet completed, completeGranted() finds the future failed and passes the
      // permit on.
      waiter.future.completeExceptionally(e);
      return waiter.future;
    }
    waiter.future.whenComplete(
        (permit, error) -> {
          timeoutTask.cancel(false);
          // Completed by anyone but the grant (cancel, orTimeout, completeExceptionally): leave the
          // queue, or the waiter keeps a place against maxQueued, with its timeout just cancelled.
          // A spurious call is harmless: a waiter no longer queued is not removed twice.
          if (error != null || permit != waiter.permit) {
            abandon(waiter, null);
          }
        });
    return waiter.future;
  }

  /** Takes a waiter out of the queue: on timeout (with the timeout) or on cancel (null). */
  private void abandon(AsyncWaiter waiter, Duration timedOutAfter) {
    LimitExceededException refusal = null;
    lock.lock();
    try {
      if (waiters.remove(waiter)) {
        if (timedOutAfter != null) {
          timedOut++;
          refusal = refusal(true, timedOutAfter);
        }
      }
    } finally {
      lock.unlock();
    }
    if (refusal != null) {
      waiter.future.completeExceptionally(refusal);
    }
  }

  /**
   * Changes the limit (the knob). Granted permits stay valid when it is lowered; waiters are
   * granted permits at once when it is raised.
   *
   * @throws IllegalArgumentException if {@code value} is not in {@code [minLimit, maxLimit]}
   */
  public void setLimit(int value) {
    Checks.inRange("limit", value, minLimit, maxLimit);
    lock.lock();
    try {
      limit = value;
      grantWaitersLocked();
    } finally {
      lock.unlock();
    }
    completeGranted();
  }

  /** Returns the current limit. */
  public int limit() {
    lock.lock();
    try {
      return limit;
    } finally {
      lock.unlock();
    }
  }

  /** Returns the number of permits held now (may exceed the limit just after it was lowered). */
  public int inFlight() {
    lock.lock();
    try {
      return inFlight;
    } finally {
      lock.unlock();
    }
  }

  /** Returns the number of callers waiting in {@link #acquire}. */
  public int queued() {
    lock.lock();
    try {
      return waiters.size();
    } finally {
      lock.unlock();
    }
  }

  /** Returns the limiter's name, as given to the builder. */
  public String name() {
    return name;
  }

  /** Returns the current state and counters since the limiter was built. */
  public Stats stats() {
    lock.lock();
    try {
      return new Stats(limit, inFlight, waiters.size(), acquired, rejected, timedOut, dropped);
    } finally {
      lock.unlock();
    }
  }

  private Permit grantLocked() {
    inFlight++;
    acquired++;
    return new LimiterPermit(ticker.read(), inFlight);
  }

  /**
   * Hands free capacity to waiters, oldest first. Blocking waiters are signalled; asynchronous ones
   * get their permit after the lock is released (see {@link #completeGranted()}), so that no
   * caller's continuation runs under the lock.
   */
  private void grantWaitersLocked() {
    while (inFlight < limit && !waiters.isEmpty()) {
      Waiter waiter = waiters.poll();
      waiter.permit = grantLocked();
      if (waiter instanceof AsyncWaiter async) {
        granted.get().add(async);
      } else {
        waiter.wakeUp.signal();
      }
    }
  }

  /** Completes the asynchronous waiters granted by this thread; call after unlocking. */
  private void completeGranted() {
    ArrayDeque<AsyncWaiter> mine = granted.get();
    AsyncWaiter w;
    while ((w = mine.poll()) != null) {
      if (!w.future.complete(w.permit)) {
        // Cancelled or timed out in the same instant: pass the permit on rather than leak it.
        w.permit.onIgnore();
      }
    }
  }

  private LimitExceededException refusal(boolean timeout, Duration waited) {
    String state = "limit=" + limit + ", inFlight=" + inFlight + ", queued=" + waiters.size();
    String message =
        timeout
            ? "ConcurrencyLimiter '"
                + name
                + "' timed out after "
                + waited
                + " waiting for a permit ("
                + state
                + ")"
            : "ConcurrencyLimiter '"
                + name
                + "' queue is full ("
                + state
                + ", maxQueued="
                + maxQueued
                + ")";
    return new LimitExceededException(message, timeout, limit, inFlight, waiters.size());
  }

  private void release(boolean wasDropped) {
    lock.lock();
    try {
      inFlight--;
      if (wasDropped) {
        dropped++;
      }
      grantWaitersLocked();
    } finally {
      lock.unlock();
    }
    completeGranted();
  }

  private void publish(long startNanos, long rttNanos, int inflight, boolean wasDropped) {
    for (LimiterListener listener : listeners) {
      try {
        listener.onSample(startNanos, rttNanos, inflight, wasDropped);
      } catch (RuntimeException e) {
        LOG.log(
            System.Logger.Level.WARNING, "listener of ConcurrencyLimiter '" + name + "' failed", e);
      }
    }
  }

  private static class Waiter {
    final Condition wakeUp;
    // Set under the lock when granted; volatile for acquireAsync's completion callback, which
    // reads it without the lock.
    volatile Permit permit;

    Waiter(Condition wakeUp) {
      this.wakeUp = wakeUp;
    }
  }

  /** A waiter of {@link #acquireAsync}: completed with its permit instead of signalled. */
  private static final class AsyncWaiter extends Waiter {
    final CompletableFuture<Permit> future = new CompletableFuture<>();

    AsyncWaiter() {
      super(null);
    }
  }

  private final class LimiterPermit implements Permit {
    private final long startNanos;
    private final int inflightAtStart;
    private final AtomicBoolean released = new AtomicBoolean();

    LimiterPermit(long startNanos, int inflightAtStart) {
      this.startNanos = startNanos;
      this.inflightAtStart = inflightAtStart;
    }

    @Override
    public void onSuccess() {
      finish(true, false);
    }

    @Override
    public void onDropped() {
      finish(true, true);
    }

    @Override
    public void onIgnore() {
      finish(false, false);
    }

    @Override
    public void close() {
      finish(false, false);
    }

    private void finish(boolean sample, boolean wasDropped) {
      if (!released.compareAndSet(false, true)) {
        return;
      }
      long rtt = ticker.read() - startNanos;
      release(wasDropped);
      if (sample) {
        publish(startNanos, rtt, inflightAtStart, wasDropped);
      }
    }
  }

  /**
   * The limiter's state and counters.
   *
   * @param limit the current limit
   * @param inFlight permits held
   * @param queued callers waiting
   * @param acquired permits granted since built
   * @param rejected acquires refused because the queue was full
   * @param timedOut acquires that gave up waiting
   * @param dropped permits released as dropped
   */
  public record Stats(
      int limit,
      int inFlight,
      int queued,
      long acquired,
      long rejected,
      long timedOut,
      long dropped) {}
}
