package dev.optimizer.runtime.batch;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.IntFunction;

/**
 * The items of one batch and their callers' futures. While open it is filled under the batcher's
 * lock; once dispatched it is only settled, through {@link ItemResults}, from any thread.
 *
 * <p>Each index is settled at most once (a CAS on {@code settled}), which is what makes "every
 * caller gets exactly one outcome" hold even when a per-item function, a thrown exception and
 * close() race for the same item. The future's own state is not used for that because a caller may
 * cancel its future at any time.
 */
final class Batch<I, O> implements ItemResults<O> {

  private final List<I> items = new ArrayList<>();
  private final List<CompletableFuture<O>> futures = new ArrayList<>();

  /** When the first item arrived, by the batcher's ticker. */
  long firstArrivalNanos;

  /** Set when the delay has elapsed: dispatch as soon as a slot is free. Guarded by the lock. */
  boolean due;

  /** The pending delayed flush, or null. Guarded by the lock. */
  FlushScheduler.Handle timer;

  /**
   * The batch this thread is busy with now: running its batch function, or completing one of its
   * items' futures. A close() of the batcher from there (the function itself, or a dependent of the
   * future) is then recognised: the batch cannot finish while such a close waits.
   */
  private static final ThreadLocal<Batch<?, ?>> BUSY = new ThreadLocal<>();

  private AtomicIntegerArray settled;
  private AtomicInteger unsettled;
  private Runnable onDone;

  void add(I item, CompletableFuture<O> future) {
    items.add(item);
    futures.add(future);
  }

  @Override
  public int size() {
    return items.size();
  }

  boolean isEmpty() {
    return items.isEmpty();
  }

  /** Moves the first {@code n} items into a new batch that keeps this batch's arrival time. */
  Batch<I, O> splitFirst(int n) {
    Batch<I, O> head = new Batch<>();
    head.firstArrivalNanos = firstArrivalNanos;
    head.items.addAll(items.subList(0, n));
    head.futures.addAll(futures.subList(0, n));
    items.subList(0, n).clear();
    futures.subList(0, n).clear();
    return head;
  }

  void cancelTimer() {
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  /**
   * Freezes the batch for processing; {@code onDone} runs once, on the thread that settles the last
   * item.
   */
  void dispatch(Runnable onDone) {
    this.settled = new AtomicIntegerArray(items.size());
    this.unsettled = new AtomicInteger(items.size());
    this.onDone = onDone;
  }

  List<I> items() {
    return Collections.unmodifiableList(items);
  }

  @Override
  public boolean complete(int index, O value) {
    Objects.checkIndex(index, items.size());
    if (!claim(index)) {
      return false;
    }
    Batch<?, ?> outer = enter(this);
    try {
      futures.get(index).complete(value);
    } finally {
      leave(outer);
    }
    release();
    return true;
  }

  @Override
  public boolean fail(int index, Throwable error) {
    Objects.checkIndex(index, items.size());
    Objects.requireNonNull(error, "error must not be null");
    if (!claim(index)) {
      return false;
    }
    Batch<?, ?> outer = enter(this);
    try {
      futures.get(index).completeExceptionally(error);
    } finally {
      leave(outer);
    }
    release();
    return true;
  }

  /**
   * Marks {@code batch} as the one the calling thread is busy with; returns the batch marked
   * before, for {@link #leave}.
   */
  static Batch<?, ?> enter(Batch<?, ?> batch) {
    Batch<?, ?> outer = BUSY.get();
    BUSY.set(batch);
    return outer;
  }

  /** Restores the mark that {@link #enter} returned. */
  static void leave(Batch<?, ?> outer) {
    BUSY.set(outer);
  }

  /**
   * Returns the batch whose function the calling thread is running, or whose item's future it is
   * completing; null if none.
   */
  static Batch<?, ?> busyOnThisThread() {
    return BUSY.get();
  }

  /** Fails every item not settled yet, each with its own error made by {@code errorForIndex}. */
  void failUnsettled(IntFunction<? extends Throwable> errorForIndex) {
    for (int i = 0; i < items.size(); i++) {
      if (settled == null || settled.get(i) == 0) {
        fail(i, errorForIndex.apply(i));
      }
    }
  }

  private boolean claim(int index) {
    if (settled == null) {
      // Never dispatched (failed by close() while still queued): no slot to give back.
      dispatch(null);
    }
    return settled.compareAndSet(index, 0, 1);
  }

  private void release() {
    if (unsettled.decrementAndGet() == 0 && onDone != null) {
      onDone.run();
    }
  }
}
