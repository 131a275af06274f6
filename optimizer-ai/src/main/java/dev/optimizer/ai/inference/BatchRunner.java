package dev.optimizer.ai.inference;

import dev.optimizer.ai.inference.internal.InferenceMetrics;
import dev.optimizer.ai.inference.internal.WorkerPool;
import dev.optimizer.api.Ticker;
import dev.optimizer.runtime.batch.ItemResults;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * Runs one batch of an {@link InferenceBatcher} on one of its workers, so that each caller gets its
 * own outcome: the batcher's per-item function for the runtime's {@code MicroBatcher}.
 *
 * <p>Kept apart from the batcher, which owns the queue, the worker pool's life and {@code close()},
 * because what happens to the items of one batch is a rule of its own, and the subtle one:
 *
 * <ul>
 *   <li>Before the model: an item whose deadline passed in the queue fails with {@link
 *       DeadlineExceededException}, and one whose caller abandoned its future fails with a {@link
 *       CancellationException}; neither is sent, so that they take no batch slot and no model time
 *       from callers still waiting.
 *   <li>When the worker throws for the whole batch, {@code splitWhen} (the builder's {@code
 *       splitFailedBatchWhen}) decides: a failure that may be one input's re-runs the unsettled
 *       items one at a time on the same worker, so that one bad input fails only its own caller; a
 *       failure of the model or service fails every unsettled item at once, since N calls alone
 *       would fail the same way and, against a remote service, turn one refused request into N more
 *       (a retry storm). A re-run alone that fails the second way stops the re-runs.
 *   <li>After the model: an item it left unsettled fails with an {@link IllegalStateException}.
 * </ul>
 *
 * <p>Each model failure reaches its caller as an {@link InferenceFailedException} whose cause is
 * what the model threw, the same whether the input was alone or in a batch, so that {@link
 * InferenceBatcher#call} can rethrow the model's own exception.
 *
 * <p>Package-private, in the batcher's package: it makes the public exceptions, whose constructors
 * are not part of the API.
 *
 * @param <I> the input type
 * @param <O> the output type
 */
final class BatchRunner<I, O> {

  private final String name;
  private final Ticker ticker;
  private final InferenceMetrics metrics;
  private final WorkerPool<BatchModel<I, O>> pool;
  // Whether a whole batch's failure may be one input's: then its items are re-run alone.
  private final Predicate<? super Throwable> splitWhen;
  // The batcher's queue at this moment, for a DeadlineExceededException: the batcher owns it.
  private final IntFunction<String> state;

  /**
   * A runner for batcher {@code name}: takes its workers from {@code pool}, records the queue delay
   * and batch sizes in {@code metrics}, and describes the queue with {@code state} (given the
   * batch's size) in a deadline's error.
   */
  BatchRunner(
      String name,
      Ticker ticker,
      InferenceMetrics metrics,
      WorkerPool<BatchModel<I, O>> pool,
      Predicate<? super Throwable> splitWhen,
      IntFunction<String> state) {
    this.name = name;
    this.ticker = ticker;
    this.metrics = metrics;
    this.pool = pool;
    this.splitWhen = splitWhen;
    this.state = state;
  }

  /** Runs {@code batch}, settling each of its items in {@code results} (see the class comment). */
  void run(List<Request<I>> batch, ItemResults<O> results) throws Exception {
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
                name, waited, r.deadlineNanos - r.enqueuedNanos, state.apply(batch.size())));
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

  /** One caller's input as it waits in the queue: made on submit, read when its batch starts. */
  static final class Request<I> {
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
      Objects.checkIndex(i, size);
      settled.set(i, 1);
      return target.complete(index[i], value);
    }

    @Override
    public boolean fail(int i, Throwable error) {
      Objects.checkIndex(i, size);
      settled.set(i, 1);
      return target.fail(index[i], error);
    }

    boolean isSettled(int i) {
      return settled.get(i) == 1;
    }
  }
}
