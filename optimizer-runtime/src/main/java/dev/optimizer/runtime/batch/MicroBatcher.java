package dev.optimizer.runtime.batch;

import dev.optimizer.api.Ticker;
import dev.optimizer.api.internal.Checks;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Groups single items into batches: callers {@link #submit} one item each and get their own future;
 * the batch function sees a list.
 *
 * <p>A batch is flushed when it holds {@code maxBatchSize} items or when its delay (chosen by the
 * {@link DelayPolicy}, at most {@code maxDelay}) has elapsed since its first item arrived, and it
 * is dispatched to the executor as soon as fewer than {@code maxConcurrentBatches} batches are in
 * flight. While all slots are busy a due batch keeps collecting items up to {@code maxBatchSize}: a
 * slow back end thus gets fuller batches instead of a growing queue of small ones.
 *
 * <p>Guarantees: every accepted item completes its future exactly once, with its own result or its
 * own error (see {@link BatchFunction}); nothing accepted is dropped, {@link #close()} included. A
 * submit that cannot be accepted fails at once: {@link RejectedExecutionException} when {@code
 * maxQueuedItems} are waiting, {@link IllegalStateException} after close.
 *
 * <p>{@link #setMaxBatchSize} and {@link #setMaxDelay} are the knobs a tuner may move at run time;
 * everything else is fixed when built. Thread-safe.
 *
 * <pre>{@code
 * MicroBatcher<String, float[]> embeddings =
 *     MicroBatcher.builder((List<String> texts) -> model.embedAll(texts))
 *         .name("embeddings")
 *         .maxBatchSize(32)
 *         .maxDelay(Duration.ofMillis(5))
 *         .build();
 * CompletableFuture<float[]> vector = embeddings.submit("some text");
 * }</pre>
 *
 * @param <I> the item type
 * @param <O> the result type
 */
public final class MicroBatcher<I, O> implements AutoCloseable {

  static final int MAX_BATCH_SIZE = 10_000;
  static final Duration MAX_DELAY = Duration.ofSeconds(10);

  private final String name;
  private final Invoker<I, O> invoker;
  private final int maxQueuedItems;
  private final long closeTimeoutNanos;
  private final Executor executor;
  private final Ticker ticker;
  private final ExecutorService ownedExecutor;
  private final ScheduledExecutorService ownedScheduler;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  private final AtomicInteger drainWip = new AtomicInteger();

  // Guarded by lock.
  private final BatchQueue<I, O> queue;
  private boolean closed;
  // Set by a close() that could not wait (see there): stop the own threads once idle.
  private boolean stopWhenIdle;

  MicroBatcher(MicroBatcherBuilder<I, O> b) {
    this.name = b.name;
    this.invoker = b.invoker;
    this.maxQueuedItems = b.maxQueuedItems;
    this.closeTimeoutNanos = b.closeTimeout.toNanos();
    this.ticker = b.ticker;
    this.ownedExecutor = b.executor == null ? b.newDefaultExecutor() : null;
    this.executor = b.executor == null ? ownedExecutor : b.executor;
    this.ownedScheduler = b.scheduler == null ? b.newDefaultScheduler() : null;
    this.queue =
        new BatchQueue<>(
            name,
            b.maxBatchSize,
            b.maxDelay.toNanos(),
            b.maxQueuedItems,
            b.maxConcurrentBatches,
            b.scheduler == null ? DaemonThreads.scheduler(ownedScheduler) : b.scheduler,
            b.delayPolicy,
            this::onDelayElapsed);
  }

  /** Starts a builder for a batcher over a function that returns one result per item. */
  public static <I, O> MicroBatcherBuilder<I, O> builder(BatchFunction<I, O> batchFunction) {
    Checks.notNull("batchFunction", batchFunction);
    return new MicroBatcherBuilder<>(name -> Invoker.ofList(name, batchFunction));
  }

  /** Starts a builder for a batcher over a function that settles each item on its own. */
  public static <I, O> MicroBatcherBuilder<I, O> perItemBuilder(
      PerItemBatchFunction<I, O> batchFunction) {
    Checks.notNull("batchFunction", batchFunction);
    return new MicroBatcherBuilder<>(name -> Invoker.ofPerItem(batchFunction));
  }

  /**
   * Adds {@code item} to the current batch.
   *
   * @return a future of this item's result, completed by the batch function; cancelling it does not
   *     take the item out of its batch
   * @throws RejectedExecutionException if {@code maxQueuedItems} items are already waiting
   * @throws IllegalStateException if the batcher is closed
   */
  public CompletableFuture<O> submit(I item) {
    Checks.notNull("item", item);
    CompletableFuture<O> future = new CompletableFuture<>();
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException("MicroBatcher '" + name + "' is closed");
      }
      if (!queue.offer(item, future, ticker.read())) {
        throw new RejectedExecutionException(
            "MicroBatcher '" + name + "' queue is full, item rejected (" + queue.snapshot() + ")");
      }
    } finally {
      lock.unlock();
    }
    drain();
    return future;
  }

  /**
   * Flushes the current batch now, however small and however young: it is dispatched as soon as a
   * slot is free. Useful at the end of a burst, and for tests that step a batcher by hand.
   */
  public void flushNow() {
    lock.lock();
    try {
      queue.sealOpenBatch();
    } finally {
      lock.unlock();
    }
    drain();
  }

  /** Returns the current maximum number of items per batch. */
  public int maxBatchSize() {
    return queue.maxBatchSize;
  }

  /**
   * Changes the maximum number of items per batch (a knob). Takes effect at once: a current batch
   * that now holds enough items is flushed.
   *
   * @throws IllegalArgumentException if {@code value} is not in {@code [1, min(10000,
   *     maxQueuedItems)]}
   */
  public void setMaxBatchSize(int value) {
    Checks.inRange("maxBatchSize", value, 1, Math.min(MAX_BATCH_SIZE, maxQueuedItems));
    lock.lock();
    try {
      queue.setMaxBatchSize(value);
    } finally {
      lock.unlock();
    }
    drain();
  }

  /** Returns the current upper bound of the delay a batch waits for more items. */
  public Duration maxDelay() {
    return Duration.ofNanos(queue.maxDelayNanos);
  }

  /**
   * Changes the upper bound of the delay a batch waits for more items (a knob). Applies to batches
   * started from now on; a batch already waiting keeps its delay.
   *
   * @throws IllegalArgumentException if {@code value} is not in {@code [PT0S, PT10S]}
   */
  public void setMaxDelay(Duration value) {
    queue.maxDelayNanos = Checks.inRange("maxDelay", value, Duration.ZERO, MAX_DELAY).toNanos();
  }

  /** Returns the batcher's name, as given to the builder. */
  public String name() {
    return name;
  }

  /** Returns counters since the batcher was built, and the current queue state. */
  public Stats stats() {
    lock.lock();
    try {
      return queue.stats();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Whether the calling thread is inside one of this batcher's batches: running the batch function,
   * or completing one of its items' futures (and so running that future's dependents). A component
   * built on the batcher whose own close must not wait for the batch it is called from asks this.
   */
  public boolean isBusyOnThisThread() {
    Batch<?, ?> busy = Batch.busyOnThisThread();
    if (busy == null) {
      return false;
    }
    lock.lock();
    try {
      return queue.isInFlight(busy);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops accepting items, dispatches everything already accepted, and waits up to {@code
   * closeTimeout} for all batches to finish. Items still unsettled after that fail: those never
   * dispatched with a {@link RejectedExecutionException}, those in a batch that did not finish with
   * a {@link TimeoutException}. Then stops the batcher's own threads. Idempotent; a second call
   * returns at once.
   *
   * <p>Called from the batch function itself, or from a dependent of an item's future as that
   * future completes (say {@code allOf(futures).thenRun(batcher::close)}), close cannot wait: the
   * batch running the function, or settling that item, finishes only once the call returns. It then
   * stops accepting items and returns at once; what was accepted still completes, and the batcher's
   * own threads stop once it has ({@code closeTimeout} does not apply: no thread is left waiting to
   * enforce it).
   */
  @Override
  public void close() {
    boolean fromOwnBatch;
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      queue.sealOpenBatch();
      fromOwnBatch = queue.isInFlight(Batch.busyOnThisThread());
      stopWhenIdle = fromOwnBatch;
    } finally {
      lock.unlock();
    }
    drain();
    if (fromOwnBatch) {
      // Waiting here would wait for this very thread: closeTimeout would pass, then fail the rest
      // of the batch whose results are about to be delivered. onBatchDone stops the threads.
      return;
    }
    boolean interrupted = false;
    boolean drained;
    try {
      drained = awaitIdle();
    } catch (InterruptedException e) {
      interrupted = true;
      drained = false;
    }
    if (!drained) {
      failLeftovers();
    }
    if (ownedScheduler != null) {
      ownedScheduler.shutdownNow();
    }
    if (ownedExecutor != null) {
      // Interrupts a batch function that is still running after closeTimeout.
      ownedExecutor.shutdownNow();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean awaitIdle() throws InterruptedException {
    lock.lock();
    try {
      long remaining = closeTimeoutNanos;
      while (!queue.isIdle()) {
        if (remaining <= 0) {
          return false;
        }
        remaining = idle.awaitNanos(remaining);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void failLeftovers() {
    List<Batch<I, O>> queued;
    List<Batch<I, O>> running;
    String state;
    lock.lock();
    try {
      state = queue.snapshot();
      queued = queue.removeQueued();
      running = queue.running();
    } finally {
      lock.unlock();
    }
    String timeout = Duration.ofNanos(closeTimeoutNanos).toString();
    for (Batch<I, O> batch : queued) {
      batch.failUnsettled(
          i ->
              new RejectedExecutionException(
                  "MicroBatcher '"
                      + name
                      + "' closed before this item was dispatched: closeTimeout "
                      + timeout
                      + " elapsed ("
                      + state
                      + ")"));
    }
    for (Batch<I, O> batch : running) {
      batch.failUnsettled(
          i ->
              new TimeoutException(
                  "MicroBatcher '"
                      + name
                      + "' closed: the batch holding this item did not finish within closeTimeout "
                      + timeout
                      + " ("
                      + state
                      + ")"));
    }
  }

  private void onDelayElapsed(Batch<I, O> batch) {
    boolean due;
    lock.lock();
    try {
      due = queue.markDue(batch);
    } finally {
      lock.unlock();
    }
    if (due) {
      drain();
    }
  }

  // --- dispatching, outside the lock ---

  /**
   * Dispatches whatever may be dispatched. Serialized by a work-in-progress counter instead of the
   * lock so that the batch function never runs under the lock, and so that a batch finishing
   * synchronously (a direct executor) loops here instead of recursing once per batch.
   */
  private void drain() {
    if (drainWip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      List<Batch<I, O>> toRun;
      lock.lock();
      try {
        toRun = queue.takeDispatchable(closed, batch -> () -> onBatchDone(batch));
      } finally {
        lock.unlock();
      }
      for (Batch<I, O> batch : toRun) {
        try {
          executor.execute(() -> run(batch));
        } catch (RuntimeException e) {
          batch.failUnsettled(
              i ->
                  new RejectedExecutionException(
                      "executor of MicroBatcher '" + name + "' rejected the batch", e));
        }
      }
      missed = drainWip.addAndGet(-missed);
    } while (missed != 0);
  }

  private void run(Batch<I, O> batch) {
    // Marked so that a close() from the function itself does not wait for this very batch.
    Batch<?, ?> outer = Batch.enter(batch);
    try {
      invoker.invoke(batch);
    } catch (Throwable t) {
      batch.failUnsettled(i -> new BatchFailedException(name, batch.size(), i, t));
    } finally {
      Batch.leave(outer);
    }
  }

  private void onBatchDone(Batch<I, O> batch) {
    boolean stopThreads = false;
    lock.lock();
    try {
      if (queue.finished(batch)) {
        idle.signalAll();
        // Closed, so nothing new arrives: idle now is idle for good.
        stopThreads = stopWhenIdle;
        stopWhenIdle = false;
      }
    } finally {
      lock.unlock();
    }
    drain();
    if (stopThreads) {
      if (ownedScheduler != null) {
        ownedScheduler.shutdownNow();
      }
      if (ownedExecutor != null) {
        // shutdown, not shutdownNow: this may be the executor's own thread, finishing its batch.
        ownedExecutor.shutdown();
      }
    }
  }

  /**
   * Counters since the batcher was built, and the current queue state.
   *
   * @param batches batches dispatched
   * @param items items dispatched
   * @param rejected submits rejected because the queue was full
   * @param queuedItems items accepted and not yet dispatched
   * @param inFlightBatches batches being processed
   */
  public record Stats(
      long batches, long items, long rejected, int queuedItems, int inFlightBatches) {

    /** Returns {@code items / batches}, or {@code 0} before the first batch. */
    public double meanBatchSize() {
      return batches == 0 ? 0.0 : (double) items / batches;
    }
  }
}
