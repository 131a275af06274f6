package dev.optimizer.http.internal.transport.jdk;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lets the first attempt of a synchronous {@code send} run on the caller's own thread, the way the
 * raw client's {@code send} does, instead of handing it to another thread and waiting (two thread
 * switches per request). The transport defers the attempt here while the pipeline is being set up;
 * the caller runs it once {@code execute} returns. If a hedge wins meanwhile, the attempt is
 * cancelled by interrupting the caller's thread inside {@code HttpClient.send}, which aborts the
 * exchange; the interrupt is then cleared, so that the caller never sees it.
 *
 * <p>The first attempt sent while the pipeline is set up is not always the caller's: a
 * stale-while-revalidate answer is returned at once while its revalidation goes out. When the
 * caller's answer is there before the pipeline returns, the deferred attempt is background work and
 * is {@linkplain #handOff() handed off}, sent the usual way, so that it never holds the caller up.
 * Thread-safe.
 */
final class InlineSlot {
  static final ThreadLocal<InlineSlot> CURRENT = new ThreadLocal<>();

  private static final int EMPTY = 0;
  private static final int DEFERRED = 1;
  private static final int RUNNING = 2;
  private static final int CANCELLED = 3;
  private static final int INTERRUPTING = 4;
  private static final int INTERRUPTED = 5;
  private static final int DONE = 6;

  private final Thread caller;
  private final AtomicInteger state = new AtomicInteger(EMPTY);
  private Runnable task;
  private Runnable elsewhere;

  InlineSlot(Thread caller) {
    this.caller = caller;
  }

  /**
   * Claims the slot for an attempt; false if it is taken, or this is not the caller's thread.
   *
   * @param attempt sends the attempt on this thread, blocking
   * @param elsewhere starts the same attempt without blocking this thread, for {@link #handOff()}
   */
  boolean defer(Runnable attempt, Runnable elsewhere) {
    if (Thread.currentThread() != caller || state.get() != EMPTY) {
      return false;
    }
    task = attempt;
    this.elsewhere = elsewhere;
    return state.compareAndSet(EMPTY, DEFERRED);
  }

  /**
   * Starts the deferred attempt, if any and not cancelled, without blocking the caller: the caller
   * has its answer already, so the attempt is not what it waits for.
   */
  void handOff() {
    if (state.compareAndSet(DEFERRED, DONE)) {
      elsewhere.run();
    }
  }

  /**
   * Runs the deferred attempt, if any and not cancelled, on the caller's thread.
   *
   * @return whether an interrupt meant for the caller (not one of ours) arrived while it ran
   */
  boolean runDeferred() {
    if (!state.compareAndSet(DEFERRED, RUNNING)) {
      return false;
    }
    task.run();
    if (state.compareAndSet(RUNNING, DONE)) {
      return Thread.currentThread().isInterrupted();
    }
    // We interrupted ourselves to cancel the attempt: wait for the interrupt to land, then clear
    // it.
    while (state.get() == INTERRUPTING) {
      Thread.onSpinWait();
    }
    Thread.interrupted();
    return false;
  }

  /** Whether the attempt was cancelled by us (its InterruptedException is ours). */
  boolean cancelledByUs() {
    int s = state.get();
    return s == INTERRUPTING || s == INTERRUPTED || s == CANCELLED;
  }

  /** Cancels the attempt: before it runs, it never will; while it runs, send() is interrupted. */
  void cancel() {
    if (state.compareAndSet(DEFERRED, CANCELLED)) {
      return;
    }
    if (state.compareAndSet(RUNNING, INTERRUPTING)) {
      caller.interrupt();
      state.set(INTERRUPTED);
    }
  }
}
