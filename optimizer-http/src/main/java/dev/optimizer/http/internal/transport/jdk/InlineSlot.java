package dev.optimizer.http.internal.transport.jdk;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lets the first attempt of a synchronous {@code send} run on the caller's own thread, the way the
 * raw client's {@code send} does, instead of handing it to another thread and waiting (two thread
 * switches per request). The transport defers the attempt here while the pipeline is being set up;
 * the caller runs it once {@code execute} returns. If a hedge wins meanwhile, the attempt is
 * cancelled by interrupting the caller's thread inside {@code HttpClient.send}, which aborts the
 * exchange; the interrupt is then cleared, so that the caller never sees it. Thread-safe.
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

  InlineSlot(Thread caller) {
    this.caller = caller;
  }

  /** Claims the slot for an attempt; false if it is taken, or this is not the caller's thread. */
  boolean defer(Runnable attempt) {
    if (Thread.currentThread() != caller || state.get() != EMPTY) {
      return false;
    }
    task = attempt;
    return state.compareAndSet(EMPTY, DEFERRED);
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
