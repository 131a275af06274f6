package dev.optimizer.runtime.batch;

import dev.optimizer.api.Ticker;
import dev.optimizer.api.internal.Checks;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Function;

/**
 * Settings of a {@link MicroBatcher}, each checked when given; rules between settings are checked
 * by {@link #build()}. A setting may be given once. Obtain one from {@link
 * MicroBatcher#builder(BatchFunction)} or {@link
 * MicroBatcher#perItemBuilder(PerItemBatchFunction)}.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th></tr>
 *   <tr><td>maxBatchSize</td><td>100</td><td>[1, 10000], and at most maxQueuedItems</td></tr>
 *   <tr><td>maxDelay</td><td>5 ms</td><td>[0, 10 s]; 0 flushes as soon as a slot is free</td></tr>
 *   <tr><td>maxQueuedItems</td><td>10000</td><td>[1, 10000000]</td></tr>
 *   <tr><td>maxConcurrentBatches</td><td>1</td><td>[1, 256]</td></tr>
 *   <tr><td>closeTimeout</td><td>30 s</td><td>[0, 10 min]</td></tr>
 * </table>
 *
 * @param <I> the item type
 * @param <O> the result type
 */
public final class MicroBatcherBuilder<I, O> {

  static final int MAX_QUEUED_ITEMS = 10_000_000;
  static final int MAX_CONCURRENT_BATCHES = 256;
  static final Duration MAX_CLOSE_TIMEOUT = Duration.ofMinutes(10);

  private final Function<String, Invoker<I, O>> invokerFactory;

  // Read by MicroBatcher's constructor once build() has filled in the defaults.
  Invoker<I, O> invoker;
  String name;
  Integer maxBatchSize;
  Duration maxDelay;
  Integer maxQueuedItems;
  Integer maxConcurrentBatches;
  Duration closeTimeout;
  Executor executor;
  FlushScheduler scheduler;
  Ticker ticker;
  DelayPolicy delayPolicy;

  MicroBatcherBuilder(Function<String, Invoker<I, O>> invokerFactory) {
    this.invokerFactory = invokerFactory;
  }

  /** Names the batcher in errors, logs and thread names. Default {@code "batcher"}. */
  public MicroBatcherBuilder<I, O> name(String name) {
    Checks.notSetBefore("name", this.name != null);
    this.name = Checks.notBlank("name", name);
    return this;
  }

  /** Sets the initial maximum number of items per batch, in {@code [1, 10000]}; default 100. */
  public MicroBatcherBuilder<I, O> maxBatchSize(int maxBatchSize) {
    Checks.notSetBefore("maxBatchSize", this.maxBatchSize != null);
    this.maxBatchSize =
        Checks.inRange("maxBatchSize", maxBatchSize, 1, MicroBatcher.MAX_BATCH_SIZE);
    return this;
  }

  /**
   * Sets the initial upper bound of the time a batch waits for more items after its first, in
   * {@code [0, 10s]}; default 5 ms.
   */
  public MicroBatcherBuilder<I, O> maxDelay(Duration maxDelay) {
    Checks.notSetBefore("maxDelay", this.maxDelay != null);
    this.maxDelay = Checks.inRange("maxDelay", maxDelay, Duration.ZERO, MicroBatcher.MAX_DELAY);
    return this;
  }

  /**
   * Sets how many accepted items may wait for dispatch before submit is rejected, in {@code [1,
   * 10000000]}; default 10000. Must be at least {@code maxBatchSize}.
   */
  public MicroBatcherBuilder<I, O> maxQueuedItems(int maxQueuedItems) {
    Checks.notSetBefore("maxQueuedItems", this.maxQueuedItems != null);
    this.maxQueuedItems = Checks.inRange("maxQueuedItems", maxQueuedItems, 1, MAX_QUEUED_ITEMS);
    return this;
  }

  /** Sets how many batches may be processed at once, in {@code [1, 256]}; default 1. */
  public MicroBatcherBuilder<I, O> maxConcurrentBatches(int maxConcurrentBatches) {
    Checks.notSetBefore("maxConcurrentBatches", this.maxConcurrentBatches != null);
    this.maxConcurrentBatches =
        Checks.inRange("maxConcurrentBatches", maxConcurrentBatches, 1, MAX_CONCURRENT_BATCHES);
    return this;
  }

  /**
   * Sets how long {@link MicroBatcher#close()} waits for accepted items to finish, in {@code [0,
   * 10min]}; default 30 s.
   */
  public MicroBatcherBuilder<I, O> closeTimeout(Duration closeTimeout) {
    Checks.notSetBefore("closeTimeout", this.closeTimeout != null);
    this.closeTimeout =
        Checks.inRange("closeTimeout", closeTimeout, Duration.ZERO, MAX_CLOSE_TIMEOUT);
    return this;
  }

  /**
   * Sets the executor that runs the batch function. The batcher does not shut it down. Default: a
   * pool of {@code maxConcurrentBatches} named daemon threads owned and stopped by the batcher. A
   * direct executor ({@code Runnable::run}) runs batches on the submitting or flushing thread,
   * which is what deterministic tests want.
   */
  public MicroBatcherBuilder<I, O> executor(Executor executor) {
    Checks.notSetBefore("executor", this.executor != null);
    this.executor = Checks.notNull("executor", executor);
    return this;
  }

  /**
   * Sets the scheduler of delayed flushes. Default: one named daemon thread owned and stopped by
   * the batcher.
   */
  public MicroBatcherBuilder<I, O> scheduler(FlushScheduler scheduler) {
    Checks.notSetBefore("scheduler", this.scheduler != null);
    this.scheduler = Checks.notNull("scheduler", scheduler);
    return this;
  }

  /** Sets the time source of the arrival-rate estimate. Default {@link Ticker#system()}. */
  public MicroBatcherBuilder<I, O> ticker(Ticker ticker) {
    Checks.notSetBefore("ticker", this.ticker != null);
    this.ticker = Checks.notNull("ticker", ticker);
    return this;
  }

  /** Sets the policy choosing each batch's delay. Default {@link DelayPolicy#fixed()}. */
  public MicroBatcherBuilder<I, O> delayPolicy(DelayPolicy delayPolicy) {
    Checks.notSetBefore("delayPolicy", this.delayPolicy != null);
    this.delayPolicy = Checks.notNull("delayPolicy", delayPolicy);
    return this;
  }

  /**
   * Checks the rules between settings and builds the batcher.
   *
   * @throws IllegalArgumentException if {@code maxQueuedItems < maxBatchSize}
   */
  public MicroBatcher<I, O> build() {
    name = name == null ? "batcher" : name;
    maxBatchSize = maxBatchSize == null ? 100 : maxBatchSize;
    maxDelay = maxDelay == null ? Duration.ofMillis(5) : maxDelay;
    maxQueuedItems = maxQueuedItems == null ? Math.max(10_000, maxBatchSize) : maxQueuedItems;
    maxConcurrentBatches = maxConcurrentBatches == null ? 1 : maxConcurrentBatches;
    closeTimeout = closeTimeout == null ? Duration.ofSeconds(30) : closeTimeout;
    ticker = ticker == null ? Ticker.system() : ticker;
    delayPolicy = delayPolicy == null ? DelayPolicy.fixed() : delayPolicy;
    if (maxQueuedItems < maxBatchSize) {
      throw new IllegalArgumentException(
          "maxQueuedItems must be >= maxBatchSize, but maxQueuedItems was "
              + maxQueuedItems
              + " and maxBatchSize was "
              + maxBatchSize);
    }
    invoker = invokerFactory.apply(name);
    return new MicroBatcher<>(this);
  }

  ExecutorService newDefaultExecutor() {
    return Executors.newFixedThreadPool(
        maxConcurrentBatches, DaemonThreads.factory("optimizer-batcher-" + name + "-worker"));
  }

  ScheduledExecutorService newDefaultScheduler() {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(
            1, DaemonThreads.factory("optimizer-batcher-" + name + "-timer"));
    // Most flush timers are cancelled (the batch filled up first); do not let them pile up.
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }
}
