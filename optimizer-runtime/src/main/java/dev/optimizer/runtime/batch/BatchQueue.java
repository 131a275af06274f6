package dev.optimizer.runtime.batch;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * The batching state of a {@link MicroBatcher}: the open batch, the sealed batches waiting for a
 * slot, the batches in flight, and what the {@link DelayPolicy} gets to see. Not thread-safe: every
 * method runs under the batcher's lock. It never runs a batch function or completes a future.
 */
final class BatchQueue<I, O> implements DelayPolicy.Context {

  private static final System.Logger LOG = System.getLogger(MicroBatcher.class.getName());
  // Weight of the newest observation in the moving averages given to the DelayPolicy: about the
  // last ten batches or arrivals matter, so the policy follows a change in load within a second.
  private static final double EWMA_WEIGHT = 0.2;

  private final String name;
  private final int maxQueuedItems;
  private final int maxConcurrentBatches;
  private final FlushScheduler scheduler;
  private final DelayPolicy delayPolicy;
  private final Consumer<Batch<I, O>> onDelayElapsed;

  private Batch<I, O> open = new Batch<>();
  private final ArrayDeque<Batch<I, O>> ready = new ArrayDeque<>();
  private final Set<Batch<I, O>> inFlight = Collections.newSetFromMap(new IdentityHashMap<>());
  private int queuedItems;
  private long batches;
  private long items;
  private long rejected;
  private double recentBatchSize;
  private long arrivals;
  private long lastArrivalNanos;
  private double meanGapNanos;

  // The knobs: written under the lock, volatile so that their getters need no lock.
  volatile int maxBatchSize;
  volatile long maxDelayNanos;

  BatchQueue(
      String name,
      int maxBatchSize,
      long maxDelayNanos,
      int maxQueuedItems,
      int maxConcurrentBatches,
      FlushScheduler scheduler,
      DelayPolicy delayPolicy,
      Consumer<Batch<I, O>> onDelayElapsed) {
    this.name = name;
    this.maxBatchSize = maxBatchSize;
    this.maxDelayNanos = maxDelayNanos;
    this.maxQueuedItems = maxQueuedItems;
    this.maxConcurrentBatches = maxConcurrentBatches;
    this.scheduler = scheduler;
    this.delayPolicy = delayPolicy;
    this.onDelayElapsed = onDelayElapsed;
  }

  /** Adds an item, or returns false (and counts a rejection) when the queue is full. */
  boolean offer(I item, CompletableFuture<O> future, long now) {
    if (queuedItems >= maxQueuedItems) {
      rejected++;
      return false;
    }
    recordArrival(now);
    queuedItems++;
    if (open.isEmpty()) {
      startBatch(now);
    }
    open.add(item, future);
    sealFullBatches();
    return true;
  }

  void setMaxBatchSize(int value) {
    maxBatchSize = value;
    sealFullBatches();
  }

  /** Marks {@code batch} due if it is still the open batch; false if the timer is stale. */
  boolean markDue(Batch<I, O> batch) {
    // The batch may have been flushed meanwhile (full, flushNow); then its timer is stale.
    if (batch != open || batch.isEmpty()) {
      return false;
    }
    batch.due = true;
    batch.timer = null;
    return true;
  }

  void sealOpenBatch() {
    if (!open.isEmpty()) {
      open.cancelTimer();
      ready.add(open);
      open = new Batch<>();
    }
  }

  /**
   * Takes the batches that may start now: sealed ones first, then the open one if it is due (or if
   * the batcher is closing), while slots are free. {@code onDone} gives each its completion
   * callback.
   */
  List<Batch<I, O>> takeDispatchable(
      boolean closing, java.util.function.Function<Batch<I, O>, Runnable> onDone) {
    List<Batch<I, O>> out = new ArrayList<>(1);
    while (inFlight.size() < maxConcurrentBatches) {
      Batch<I, O> batch = ready.poll();
      if (batch == null) {
        if (open.isEmpty() || !(open.due || closing)) {
          break;
        }
        batch = open;
        batch.cancelTimer();
        open = new Batch<>();
      }
      queuedItems -= batch.size();
      inFlight.add(batch);
      batches++;
      items += batch.size();
      recentBatchSize =
          batches == 1
              ? batch.size()
              : recentBatchSize + EWMA_WEIGHT * (batch.size() - recentBatchSize);
      batch.dispatch(onDone.apply(batch));
      out.add(batch);
    }
    return out;
  }

  /** Records that a dispatched batch has settled every item; returns whether all is done. */
  boolean finished(Batch<I, O> batch) {
    inFlight.remove(batch);
    return isIdle();
  }

  boolean isInFlight(Batch<?, ?> batch) {
    return batch != null && inFlight.contains(batch);
  }

  boolean isIdle() {
    return queuedItems == 0 && inFlight.isEmpty();
  }

  /** Removes and returns every batch not yet dispatched (for close() after its timeout). */
  List<Batch<I, O>> removeQueued() {
    List<Batch<I, O>> queued = new ArrayList<>(ready);
    ready.clear();
    if (!open.isEmpty()) {
      open.cancelTimer();
      queued.add(open);
      open = new Batch<>();
    }
    queuedItems = 0;
    return queued;
  }

  List<Batch<I, O>> running() {
    return new ArrayList<>(inFlight);
  }

  MicroBatcher.Stats stats() {
    return new MicroBatcher.Stats(batches, items, rejected, queuedItems, inFlight.size());
  }

  String snapshot() {
    return "queued="
        + queuedItems
        + ", inFlightBatches="
        + inFlight.size()
        + ", maxQueuedItems="
        + maxQueuedItems
        + ", maxBatchSize="
        + maxBatchSize
        + ", maxConcurrentBatches="
        + maxConcurrentBatches;
  }

  private void recordArrival(long now) {
    if (arrivals++ > 0) {
      double gap = Math.max(0L, now - lastArrivalNanos);
      meanGapNanos = arrivals == 2 ? gap : meanGapNanos + EWMA_WEIGHT * (gap - meanGapNanos);
    }
    lastArrivalNanos = now;
  }

  private void startBatch(long now) {
    open.firstArrivalNanos = now;
    long delay = chooseDelay();
    if (delay == 0) {
      open.due = true;
      return;
    }
    Batch<I, O> batch = open;
    try {
      open.timer = scheduler.schedule(() -> onDelayElapsed.accept(batch), delay);
    } catch (RuntimeException e) {
      // A scheduler that is shut down, or fails otherwise, must not strand the item (it is already
      // counted as queued): flush without waiting. Only an unexpected failure is worth a warning.
      if (!(e instanceof RejectedExecutionException)) {
        LOG.log(
            System.Logger.Level.WARNING, "FlushScheduler of MicroBatcher '" + name + "' failed", e);
      }
      open.due = true;
    }
  }

  private long chooseDelay() {
    long max = maxDelayNanos;
    long delay;
    try {
      delay = delayPolicy.delayNanos(this);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "DelayPolicy of MicroBatcher '" + name + "' failed", e);
      delay = max;
    }
    return Math.max(0L, Math.min(max, delay));
  }

  private void sealFullBatches() {
    int max = maxBatchSize;
    while (open.size() >= max) {
      if (open.size() == max) {
        sealOpenBatch();
      } else {
        ready.add(open.splitFirst(max));
      }
    }
  }

  // --- DelayPolicy.Context, read under the lock (the policy is called under it) ---

  @Override
  public long maxDelayNanos() {
    return maxDelayNanos;
  }

  @Override
  public int maxBatchSize() {
    return maxBatchSize;
  }

  @Override
  public double recentBatchSize() {
    return recentBatchSize;
  }

  @Override
  public double arrivalRatePerSecond() {
    // A gap of 0 ns (simultaneous by the ticker) counts as 1 ns to keep the rate finite.
    return arrivals < 2 ? 0.0 : 1e9 / Math.max(1.0, meanGapNanos);
  }

  @Override
  public int queuedItems() {
    return queuedItems;
  }

  @Override
  public int inFlightBatches() {
    return inFlight.size();
  }
}
