package dev.optimizer.ai.inference;

import dev.optimizer.ai.inference.internal.AdaptiveDelay;
import dev.optimizer.ai.inference.internal.BatcherKnobs;
import dev.optimizer.ai.inference.internal.InferenceMetrics;
import dev.optimizer.ai.inference.internal.WorkerPool;
import dev.optimizer.api.Knob;
import dev.optimizer.api.Objective;
import dev.optimizer.api.Signal;
import dev.optimizer.api.Ticker;
import dev.optimizer.api.internal.Checks;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.batch.ItemResults;
import dev.optimizer.runtime.batch.MicroBatcher;
import dev.optimizer.runtime.internal.ClosedOptimizer;
import dev.optimizer.runtime.signal.LatencySignal;
import dev.optimizer.runtime.telemetry.BuildingBlockMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Dynamic batching for in-process inference: concurrent single calls become real batches for a
 * model, the way Triton and DJL Serving batch on a server, but inside the application.
 *
 * <pre>{@code
 * InferenceBatcher<String, float[]> embeddings =
 *     InferenceBatcher.builder(optimizer, embedder::newWorker)   // one BatchModel per worker
 *         .name("minilm")
 *         .workers(1)
 *         .maxBatchSize(64)
 *         .build();
 * float[] vector = embeddings.call("How do I learn Java?");  // from any number of threads
 * }</pre>
 *
 * <p>Built on the runtime's {@link MicroBatcher}: a batch goes to a model worker as soon as one is
 * free; while all workers are busy, new calls gather into the next batch (up to {@code
 * maxBatchSize}). When a worker is free and calls are sparse, a call goes at once: no delay is
 * added when idle. Otherwise a batch may wait for company up to {@code maxDelay}, a knob the tuning
 * engine moves (with {@code maxBatchSize}) as judged trials against the callers' latency and
 * throughput; see {@link dev.optimizer.ai.inference.internal.AdaptiveDelay}. Settings of the model
 * itself, such as an {@code OnnxTextEmbedder}'s intra-op threads, join them as {@link
 * InferenceBatcherBuilder#modelKnob model knobs}, tuned on the same signal.
 *
 * <p>Per caller: each call gets its own result or its own error. A call whose deadline has passed
 * before its batch starts fails with {@link DeadlineExceededException} and is not run; so is a call
 * whose caller cancelled (or completed) its future before its batch started. When a worker throws
 * for a whole batch, what it threw decides ({@link InferenceBatcherBuilder#splitFailedBatchWhen}):
 *
 * <ul>
 *   <li>a failure that may be one input's (by default, every failure) re-runs the batch one item at
 *       a time, so that a single bad input fails only its own caller: its future fails with an
 *       {@link InferenceFailedException} whose cause is what the model threw (the same for an input
 *       that was alone in its batch);
 *   <li>a failure of the model or service as a whole (for a remote model: a rate limit, a 5xx, a
 *       timeout, a connection failure, a bad credential) fails every caller of the batch at once,
 *       each future with its own {@link InferenceFailedException} whose cause is the batch's error;
 *       re-running N inputs alone would turn one refused request into N more, sent when the service
 *       is least able to take them (a retry storm). A re-run alone that fails that way stops the
 *       re-runs of the rest of its batch in the same way.
 * </ul>
 *
 * <p>{@link #call} rethrows the cause, the model's own exception. Nothing accepted is dropped:
 * {@link #close()} drains, then closes the workers.
 *
 * <p>Workers ({@link BatchModel}) are used by one batch at a time, so a worker may wrap something
 * that is not thread-safe, such as a DJL {@code Predictor}. Thread-safe.
 *
 * @param <I> the input type
 * @param <O> the output type
 */
public final class InferenceBatcher<I, O> implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(InferenceBatcher.class.getName());

  // The MicroBatcher's closeTimeout: close() waits no longer than that in all.
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final String name;
  private final Ticker ticker;
  private final long defaultTimeoutNanos;
  private final int maxQueuedItems;
  private final List<BatchModel<I, O>> workers;
  private final WorkerPool<BatchModel<I, O>> pool;
  private final MicroBatcher<Request<I>, O> batcher;
  private final InferenceMetrics metrics;
  private final LatencySignal signal;
  // Whether a whole batch's failure may be one input's: then its items are re-run alone.
  private final Predicate<? super Throwable> splitWhen;
  private final Knob<Integer> maxBatchSizeKnob;
  private final Knob<Integer> maxDelayKnob;
  // Knobs of the model itself (InferenceBatcherBuilder#modelKnob); filled while building, so that
  // a failed build takes out those already registered.
  private final List<Knob<?>> modelKnobs = new ArrayList<>();
  private final AutoCloseable batcherMetrics;
  private final Optimizer optimizer;
  private final Optimizer.Registration registration;
  private volatile boolean closed;
  // Inputs accepted and not yet settled: a close() from inside a batch leaves the workers to the
  // settling of the last of these (see closeWorkersOnceSettled).
  private final AtomicInteger unsettled = new AtomicInteger();
  private volatile boolean closeWorkersWhenSettled;
  private final AtomicBoolean workersClosing = new AtomicBoolean();

  InferenceBatcher(InferenceBatcherBuilder<I, O> b, List<BatchModel<I, O>> workers) {
    Optimizer optimizer = b.optimizer;
    refuseIfClosed(optimizer, b.name);
    this.optimizer = optimizer;
    this.name = b.name;
    this.ticker = optimizer.ticker();
    this.defaultTimeoutNanos = b.timeout.toNanos();
    this.maxQueuedItems = b.maxQueuedItems;
    this.splitWhen = b.splitWhen;
    this.workers = List.copyOf(workers);
    this.pool = new WorkerPool<>("InferenceBatcher '" + name + "'", this.workers);
    this.metrics =
        new InferenceMetrics(optimizer.meter(), name, b.operationName, b.providerName, b.modelName);
    this.signal = LatencySignal.builder("optimizer.ai." + name).ticker(ticker).build();
    this.batcher =
        MicroBatcher.<Request<I>, O>perItemBuilder(this::runBatch)
            .name("ai-" + name)
            .maxBatchSize(b.maxBatchSize)
            .maxDelay(b.maxDelay)
            .maxQueuedItems(maxQueuedItems)
            .maxConcurrentBatches(workers.size())
            .closeTimeout(CLOSE_TIMEOUT)
            .ticker(ticker)
            .delayPolicy(new AdaptiveDelay(workers.size()))
            .build();
    AutoCloseable observed = null;
    try {
      observed = BuildingBlockMetrics.observe(optimizer.meter(), batcher);
      this.maxBatchSizeKnob =
          Knob.ofInt(BatcherKnobs.maxBatchSize(name), b.maxBatchSize)
              .range(1, b.maxBatchSize)
              .description("Most items per batch sent to the model")
              .onChange(batcher::setMaxBatchSize)
              .build();
      int delayMicros = (int) (b.maxDelay.toNanos() / 1000);
      this.maxDelayKnob =
          Knob.ofInt(BatcherKnobs.maxDelayMicros(name), delayMicros)
              .range(0, delayMicros)
              .description(
                  "Longest time (microseconds) a batch waits for company when a worker is free")
              .onChange(us -> batcher.setMaxDelay(Duration.ofNanos(us * 1000L)))
              .build();
      Objective objective = Objective.maximizeThroughput().withMaxErrorRate(0.01);
      if (b.tuning) {
        optimizer.tune(maxDelayKnob, signal).objective(objective).start();
        optimizer.tune(maxBatchSizeKnob, signal).objective(objective).start();
      } else {
        optimizer.register(maxDelayKnob);
        optimizer.register(maxBatchSizeKnob);
      }
      for (Map.Entry<String, Function<String, ? extends Knob<?>>> e : b.modelKnobs.entrySet()) {
        Knob<?> knob = modelKnob(e.getKey(), e.getValue());
        modelKnobs.add(knob); // before registering: a failed build takes out what it registered
        // Tuned like the batcher's own knobs, on the same signal: the engine runs one trial at a
        // time per signal, so a thread-count trial never overlaps a batch-size trial.
        if (b.tuning) {
          tune(optimizer, knob, signal, objective);
        } else {
          optimizer.register(knob);
        }
      }
      this.registration = optimizer.onClose(this);
    } catch (RuntimeException | Error e) {
      // A knob name taken, or the optimizer closed: leave nothing behind (the workers stay the
      // caller's; see InferenceBatcherBuilder#build).
      undoBuild(optimizer, observed, e);
      throw e;
    }
    this.batcherMetrics = observed;
  }

  /**
   * Refuses to build a batcher on a closed optimizer, as {@code InferenceCache} does, before
   * anything is made or started; an optimizer closing later still refuses it in {@code onClose},
   * and the build is undone.
   */
  static void refuseIfClosed(Optimizer optimizer, String name) {
    ClosedOptimizer.refuse(optimizer, "InferenceBatcher '" + name + "'");
  }

  private Knob<?> modelKnob(String suffix, Function<String, ? extends Knob<?>> factory) {
    String knobName = BatcherKnobs.model(name, suffix);
    Knob<?> knob = factory.apply(knobName);
    if (knob == null || !knob.name().equals(knobName)) {
      throw new IllegalStateException(
          "the modelKnob factory for '"
              + suffix
              + "' of InferenceBatcher '"
              + name
              + "' must build a knob named "
              + knobName
              + ", but built "
              + (knob == null ? "null" : knob.name()));
    }
    return knob;
  }

  private static <T extends Comparable<? super T>> void tune(
      Optimizer optimizer, Knob<T> knob, Signal signal, Objective objective) {
    optimizer.tune(knob, signal).objective(objective).start();
  }

  private void undoBuild(Optimizer optimizer, AutoCloseable observed, Throwable failure) {
    unregisterKnobs(optimizer);
    try {
      if (observed != null) {
        observed.close();
      }
    } catch (Exception e) {
      failure.addSuppressed(e);
    } finally {
      batcher.close();
    }
  }

  /**
   * Takes this batcher's knobs out of the optimizer (and out of tuning), so that nothing tunes a
   * closed batcher and its name can be used again. Only our own knobs: one whose name was taken
   * belongs to someone else.
   */
  private void unregisterKnobs(Optimizer optimizer) {
    List<Knob<?>> own = new ArrayList<>(modelKnobs);
    own.add(maxDelayKnob);
    own.add(maxBatchSizeKnob);
    for (Knob<?> knob : own) {
      if (knob != null && optimizer.knob(knob.name()).filter(k -> k == knob).isPresent()) {
        optimizer.unregister(knob.name());
      }
    }
  }

  /**
   * Starts a builder. {@code workers} are the model workers, one batch at a time each; the batcher
   * closes them on {@link #close()}.
   */
  @SafeVarargs
  public static <I, O> InferenceBatcherBuilder<I, O> builder(
      Optimizer optimizer, BatchModel<I, O>... workers) {
    Checks.notNull("optimizer", optimizer);
    Checks.notNull("workers", workers);
    return new InferenceBatcherBuilder<>(optimizer, List.of(workers));
  }

  /**
   * Starts a builder whose {@code workers} workers are made by {@code factory} when {@link
   * InferenceBatcherBuilder#build()} runs, not before: a bad setting leaves nothing to close, and a
   * failed build closes those already made. The batcher owns and closes them.
   *
   * @throws IllegalArgumentException if {@code workers} is not in [1, 256]
   */
  public static <I, O> InferenceBatcherBuilder<I, O> builder(
      Optimizer optimizer, int workers, Supplier<? extends BatchModel<I, O>> factory) {
    Checks.notNull("optimizer", optimizer);
    Checks.notNull("factory", factory);
    return new InferenceBatcherBuilder<>(optimizer, workers, factory);
  }

  /** Starts a builder whose workers are given as a list (see {@link #builder}). */
  public static <I, O> InferenceBatcherBuilder<I, O> builder(
      Optimizer optimizer, List<? extends BatchModel<I, O>> workers) {
    Checks.notNull("optimizer", optimizer);
    Checks.notNull("workers", workers);
    return new InferenceBatcherBuilder<>(optimizer, new ArrayList<>(workers));
  }

  /**
   * Submits one input with the default timeout.
   *
   * @return a future of this input's own output or error
   * @throws RejectedExecutionException if {@code maxQueuedItems} inputs are already waiting
   * @throws IllegalStateException if the batcher is closed
   */
  public CompletableFuture<O> submit(I input) {
    return submitWithin(input, defaultTimeoutNanos);
  }

  /**
   * Submits one input that must start within {@code timeout}, else it fails with {@link
   * DeadlineExceededException}.
   *
   * @throws IllegalArgumentException if {@code timeout} is not positive
   */
  public CompletableFuture<O> submit(I input, Duration timeout) {
    return submitWithin(input, Checks.positive("timeout", timeout).toNanos());
  }

  /**
   * Runs one input and waits for its output: the blocking form of {@link #submit(Object)}. The
   * caller's own error is rethrown as is when unchecked: where the future fails with an {@link
   * InferenceFailedException}, its cause, the model's own exception (a LangChain4j {@code
   * RateLimitException}, say), whether the input ran alone or in a batch.
   */
  public O call(I input) {
    return await(submit(input));
  }

  /**
   * Waits for an output of {@link #submit(Object)}, failing as {@link #call} does (the model's own
   * exception rethrown as is).
   */
  public O await(CompletableFuture<O> future) {
    Checks.notNull("future", future);
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CompletionException("interrupted waiting for InferenceBatcher '" + name + "'", e);
    } catch (ExecutionException e) {
      throw unwrap(e.getCause());
    }
  }

  /** Returns the batcher's name. */
  public String name() {
    return name;
  }

  /** Returns the knob of the largest batch sent to a model. */
  public Knob<Integer> maxBatchSizeKnob() {
    return maxBatchSizeKnob;
  }

  /** Returns the knob of the longest wait for company, in microseconds. */
  public Knob<Integer> maxDelayKnob() {
    return maxDelayKnob;
  }

  /** Returns the knobs of the model ({@link InferenceBatcherBuilder#modelKnob}), in order. */
  public List<Knob<?>> modelKnobs() {
    return List.copyOf(modelKnobs);
  }

  /** Returns the latency signal the tuning engine reads (one sample per caller). */
  public LatencySignal signal() {
    return signal;
  }

  /** Returns the batcher's counters: batches, items, mean batch size, queue. */
  public MicroBatcher.Stats stats() {
    return batcher.stats();
  }

  /** Returns how many inputs may wait before {@link #submit} is refused. */
  public int maxQueuedItems() {
    return maxQueuedItems;
  }

  /** Returns the number of model workers. */
  public int workers() {
    return workers.size();
  }

  /**
   * Stops accepting inputs, finishes what was accepted (see {@link MicroBatcher#close()}), then
   * closes every worker once its last batch has returned. A worker still running a batch when the
   * batcher's close timeout (30 s) has passed, or when the closing thread is interrupted, is closed
   * by that batch when it returns, never under it. Each worker is closed once. The batcher's knobs
   * leave the optimizer (its name can be built again) and the optimizer no longer holds the
   * batcher. Idempotent.
   *
   * <p>Called from inside one of its batches (by a model worker, or by a dependent of a call that
   * the worker settles, closing the batcher or the optimizer), close cannot wait for that batch: it
   * runs on this very thread. It then stops accepting inputs and returns at once; what was accepted
   * still runs, and the workers are closed once the last accepted input is settled (a busy one when
   * its batch gives it back).
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    // Inside one of its batches (the model, or a dependent of a call it settles), close must not
    // wait for its own worker.
    boolean fromOwnBatch = batcher.isBusyOnThisThread();
    long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
    RuntimeException failure = null;
    try {
      unregisterKnobs(optimizer);
      registration.release();
      batcher.close(); // returns at once from inside a batch (see MicroBatcher#close)
    } finally {
      try {
        batcherMetrics.close();
      } catch (Exception e) {
        failure = new IllegalStateException("closing the metrics of '" + name + "' failed", e);
      }
      RuntimeException workerFailure = null;
      if (fromOwnBatch) {
        // Waiting for the busy workers would wait for this thread's own: the 30 s would pass,
        // and the batches still queued would then find their workers closed.
        closeWorkersWhenSettled = true;
        workerFailure = closeWorkersOnceSettled();
      } else {
        // Only idle workers now: a busy one is closed when its batch gives it back.
        workerFailure = pool.close(deadline);
      }
      if (failure == null) {
        failure = workerFailure;
      } else if (workerFailure != null) {
        failure.addSuppressed(workerFailure);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * After a close from inside a batch: closes the workers once every accepted input is settled,
   * without waiting for busy ones (they are closed when their batch gives them back). Called by
   * that close and by the settling of each input; the first to see both closes them, once.
   *
   * @return the first failure to close a worker, or {@code null}
   */
  private RuntimeException closeWorkersOnceSettled() {
    if (closeWorkersWhenSettled
        && unsettled.get() == 0
        && workersClosing.compareAndSet(false, true)) {
      return pool.close(System.nanoTime());
    }
    return null;
  }

  private CompletableFuture<O> submitWithin(I input, long timeoutNanos) {
    Checks.notNull("input", input);
    long now = ticker.read();
    Request<I> request = new Request<>(input, now, now + timeoutNanos);
    CompletableFuture<O> future;
    // Counted before it can be accepted: once the batcher is closed, zero means all settled.
    unsettled.incrementAndGet();
    try {
      future = batcher.submit(request);
    } catch (RejectedExecutionException | IllegalStateException e) {
      settled();
      // Refused at once (queue full, or closed): a failed operation all the same, which the
      // telemetry and the tuner's error rate must see, or a trial that overflows the queue would
      // look error-free.
      long took = ticker.read() - now;
      metrics.operation(took, e);
      signal.record(took, true);
      throw e;
    }
    CompletableFuture<O> returned =
        future.whenComplete(
            (value, error) -> {
              try {
                long took = ticker.read() - now;
                metrics.operation(took, error);
                signal.record(took, error != null);
              } finally {
                settled(); // even if telemetry failed: the workers wait on this count
              }
            });
    // The caller's future depends on the batcher's: cancelling it, or completing it early
    // (orTimeout, completeOnTimeout), never reaches the batcher's. Marked here, the request is
    // not sent to the model if it has not started yet (see runBatch).
    returned.whenComplete(
        (value, error) -> {
          if (!future.isDone()) {
            request.abandoned = true;
          }
        });
    return returned;
  }

  /** One accepted (or refused) input fewer to settle. */
  private void settled() {
    if (unsettled.decrementAndGet() == 0 && closeWorkersWhenSettled) {
      RuntimeException failure = closeWorkersOnceSettled();
      if (failure != null) {
        // No caller to throw to: this is the settling of some caller's input.
        LOG.log(System.Logger.Level.WARNING, failure.getMessage(), failure.getCause());
      }
    }
  }

  private void runBatch(List<Request<I>> batch, ItemResults<O> results) throws Exception {
    long now = ticker.read();
    int[] index = new int[batch.size()];
    List<I> live = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      Request<I> r = batch.get(i);
      long waited = now - r.enqueuedNanos;
      metrics.queueDelay(waited);
      if (now - r.deadlineNanos > 0) {
        results.fail(
            i,
            new DeadlineExceededException(
                name, waited, r.deadlineNanos - r.enqueuedNanos, state(batch.size())));
      } else if (r.abandoned) {
        // Its caller cancelled or completed its future: running it would take a batch slot and
        // model time from callers still waiting.
        results.fail(
            i,
            new CancellationException(
                "the caller of InferenceBatcher '" + name + "' abandoned this input"));
      } else {
        index[live.size()] = i;
        live.add(r.input);
      }
    }
    if (live.isEmpty()) {
      return;
    }
    metrics.batch(live.size());
    BatchModel<I, O> worker = pool.take();
    if (worker == null) {
      // Cannot happen: the MicroBatcher runs at most workers.size() batches at once.
      throw new IllegalStateException("no idle worker in InferenceBatcher '" + name + "'");
    }
    Mapped<O> mapped = new Mapped<>(results, index, live.size());
    try {
      try {
        worker.run(live, mapped);
      } catch (Exception | LinkageError e) {
        if (live.size() == 1) {
          // Settled here, as the items of a larger batch are in isolate(): the same error
          // whatever the batch held (thrown, it would reach the caller as BatchFailedException).
          if (!mapped.isSettled(0)) {
            mapped.fail(0, failedAlone(e, null, 1));
          }
        } else if (itemSpecific(e)) {
          // One bad input must not take the others down: run the unsettled ones alone.
          isolate(worker, live, mapped, e);
        } else {
          // The model or service failed, not an input: N more calls would fail the same way.
          failRest(mapped, 0, e, "for the whole batch of " + live.size());
        }
      }
    } finally {
      pool.giveBack(worker);
    }
    for (int k = 0; k < live.size(); k++) {
      mapped.fail(
          k,
          new IllegalStateException(
              "the BatchModel of InferenceBatcher '"
                  + name
                  + "' returned without settling item "
                  + k
                  + " of a batch of "
                  + live.size()));
    }
  }

  private void isolate(
      BatchModel<I, O> worker, List<I> live, Mapped<O> mapped, Throwable batchError) {
    for (int k = 0; k < live.size(); k++) {
      if (mapped.isSettled(k)) {
        continue;
      }
      Mapped<O> one = mapped.single(k);
      try {
        worker.run(List.of(live.get(k)), one);
      } catch (Exception | LinkageError e) {
        one.fail(0, failedAlone(e, batchError, live.size()));
        if (!itemSpecific(e)) {
          // The batch's failure was an input's, this one is the service's: stop sending.
          failRest(
              mapped,
              k + 1,
              e,
              "while the inputs of its failed batch of " + live.size() + " were re-run alone");
          return;
        }
      }
    }
  }

  /** Fails every unsettled item from {@code from} on with {@code error}, each on its own. */
  private void failRest(Mapped<O> mapped, int from, Throwable error, String when) {
    for (int k = from; k < mapped.size(); k++) {
      if (!mapped.isSettled(k)) {
        mapped.fail(
            k,
            new InferenceFailedException(
                "the model of InferenceBatcher '"
                    + name
                    + "' failed "
                    + when
                    + ", a failure not of one input, so the input was not run alone: "
                    + error,
                error));
      }
    }
  }

  /** Whether {@code error}, thrown for a whole batch, may be one input's (see splitWhen). */
  private boolean itemSpecific(Throwable error) {
    try {
      return splitWhen.test(error);
    } catch (RuntimeException | LinkageError e) {
      // Re-running alone can cost calls, but never fails a caller for another's input.
      return true;
    }
  }

  private InferenceFailedException failedAlone(Throwable e, Throwable batchError, int batchSize) {
    String how =
        batchError == null
            ? "in a batch of 1"
            : "run alone after its batch of " + batchSize + " failed with " + batchError;
    return new InferenceFailedException(
        "the model of InferenceBatcher '" + name + "' failed for this input (" + how + "): " + e,
        e);
  }

  private String state(int batchSize) {
    MicroBatcher.Stats s = batcher.stats();
    return "batch="
        + batchSize
        + ", queued="
        + s.queuedItems()
        + ", inFlightBatches="
        + s.inFlightBatches()
        + ", workers="
        + workers.size();
  }

  /**
   * What {@link #call} throws for a failed future: the model's own exception where the model threw
   * for this input ({@link InferenceFailedException}'s cause), else the error itself.
   */
  private static RuntimeException unwrap(Throwable error) {
    if (error instanceof InferenceFailedException f
        && (f.getCause() instanceof RuntimeException || f.getCause() instanceof Error)) {
      error = f.getCause();
    }
    if (error instanceof RuntimeException r) {
      return r;
    }
    if (error instanceof Error e) {
      throw e;
    }
    return new CompletionException(error);
  }

  private static final class Request<I> {
    final I input;
    final long enqueuedNanos;
    final long deadlineNanos;
    // Set when the caller's future completes before this request's: cancelled, or completed early.
    volatile boolean abandoned;

    Request(I input, long enqueuedNanos, long deadlineNanos) {
      this.input = input;
      this.enqueuedNanos = enqueuedNanos;
      this.deadlineNanos = deadlineNanos;
    }
  }

  /** A worker's view of the batch: indices of the live items mapped to the batch's indices. */
  private static final class Mapped<O> implements ItemResults<O> {
    private final ItemResults<O> target;
    private final int[] index;
    private final int size;
    private final AtomicIntegerArray settled;

    Mapped(ItemResults<O> target, int[] index, int size) {
      this.target = target;
      this.index = index;
      this.size = size;
      this.settled = new AtomicIntegerArray(size);
    }

    /** A view of item {@code k} alone, for running it by itself. */
    Mapped<O> single(int k) {
      return new Mapped<>(target, new int[] {index[k]}, 1);
    }

    @Override
    public int size() {
      return size;
    }

    @Override
    public boolean complete(int i, O value) {
      java.util.Objects.checkIndex(i, size);
      settled.set(i, 1);
      return target.complete(index[i], value);
    }

    @Override
    public boolean fail(int i, Throwable error) {
      java.util.Objects.checkIndex(i, size);
      settled.set(i, 1);
      return target.fail(index[i], error);
    }

    boolean isSettled(int i) {
      return settled.get(i) == 1;
    }
  }
}
