package dev.optimizer.ai.inference;

import dev.optimizer.runtime.batch.ItemResults;
import java.util.List;

/**
 * One worker of an {@link InferenceBatcher}: runs a model over a whole batch and settles each item
 * on its own. A batcher keeps a pool of workers and hands each batch to one worker at a time, so an
 * implementation may hold state that is not thread-safe (a DJL {@code Predictor}).
 *
 * <p>Settle every index through {@code results}: {@code complete(i, value)} or {@code fail(i,
 * error)}. An input that fails (too long, empty, rejected by the model) should fail only its own
 * index. An exception thrown by {@link #run} fails every item not yet settled; an index left
 * unsettled when {@code run} returns fails with an {@link IllegalStateException}.
 *
 * @param <I> the input type
 * @param <O> the output type
 */
@FunctionalInterface
public interface BatchModel<I, O> extends AutoCloseable {

  /**
   * Runs the model over {@code inputs}.
   *
   * @param inputs the inputs of one batch, never empty, read-only
   * @param results where each input's outcome goes, by index
   * @throws Exception when the batch as a whole cannot be run
   */
  void run(List<I> inputs, ItemResults<O> results) throws Exception;

  /** Releases what the worker holds (a predictor, a session). The default does nothing. */
  @Override
  default void close() throws Exception {}
}
