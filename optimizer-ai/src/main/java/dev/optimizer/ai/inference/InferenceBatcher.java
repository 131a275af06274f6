package dev.optimizer.ai.inference;

import dev.optimizer.ai.inference.BatchRunner.Request;
import dev.optimizer.ai.inference.internal.AdaptiveDelay;
import dev.optimizer.ai.inference.internal.InferenceMetrics;
import dev.optimizer.ai.inference.internal.WorkerPool;
import dev.optimizer.api.Knob;
import dev.optimizer.api.Ticker;
import dev.optimizer.api.internal.Checks;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.batch.MicroBatcher;
import dev.optimizer.runtime.internal.ClosedOptimizer;
import dev.optimizer.runtime.signal.LatencySignal;
import dev.optimizer.runtime.telemetry.BuildingBlockMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
  // Its own and its model's knobs, registered or tuned, and taken out on close or a failed build.
  private final BatcherKnobSet knobs;
  private final AutoCloseable batcherMetrics;
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
    this.name = b.name;
    this.ticker = optimizer.ticker();
    this.defaultTimeoutNanos = b.timeout.toNanos();
    this.maxQueuedItems = b.maxQueuedItems;
    this.workers = List.copyOf(workers);
    this.pool = new WorkerPool<>("InferenceBatcher '" + name + "'", this.workers);
    this.metrics =
        new InferenceMetrics(optimizer.meter(), name, b.operationName, b.providerName, b.modelName);
    this.signal = LatencySignal.builder("optimizer.ai." + name).ticker(ticker).build();
    // What happens to the items of one batch (deadlines, abandoned calls, a failed batch re-run
    // item by item or failed at once) is the runner's; the queue and the workers' life are ours.
    BatchRunner<I, O> runner =
        new BatchRunner<>(name, ticker, metrics, pool, b.splitWhen, this::state);
    this.batcher =
        MicroBatcher.<Request<I>, O>perItemBuilder(runner::run)
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
    BatcherKnobSet knobs = null;
    try {
      observed = BuildingBlockMetrics.observe(optimizer.meter(), batcher);
      knobs = new BatcherKnobSet(optimizer, name, batcher, b.maxBatchSize, b.maxDelay);
      // Set before onClose: from then on a closing optimizer may call close(), which reads it.
      this.knobs = knobs;
      knobs.register(b.tuning, b.modelKnobs, signal);
      this.registration = optimizer.onClose(this);
    } catch (RuntimeException | Error e) {
      // A knob name taken, or the optimizer closed: leave nothing behind (the workers stay the
      // caller's; see InferenceBatcherBuilder#build).
      undoBuild(knobs, observed, e);
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

  private void undoBuild(BatcherKnobSet knobs, AutoCloseable observed, Throwable failure) {
    if (knobs != null) {
      knobs.unregister();
    }
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
    return knobs.maxBatchSize();
  }

  /** Returns the knob of the longest wait for company, in microseconds. */
  public Knob<Integer> maxDelayKnob() {
    return knobs.maxDelay();
  }

  /** Returns the knobs of the model ({@link InferenceBatcherBuilder#modelKnob}), in order. */
  public List<Knob<?>> modelKnobs() {
    return knobs.model();
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
      knobs.unregister();
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
    // not sent to the model if it has not started yet (see BatchRunner#run).
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

  /** The queue at this moment, for a {@link DeadlineExceededException}: what it waited behind. */
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
}
