package dev.optimizer.runtime.batch;

import java.util.List;

/**
 * Processes a whole batch at once and returns one result per item, in the same order.
 *
 * <p>The returned list must have exactly as many elements as {@code items}: element {@code i} is
 * the result for {@code items.get(i)}. A list of another size is a bug in the function, and every
 * caller of the batch then gets an {@link IllegalStateException} naming both sizes rather than
 * somebody else's result. A thrown exception fails every caller of the batch with its own {@link
 * BatchFailedException} whose cause is the exception thrown.
 *
 * @param <I> the item type
 * @param <O> the result type
 */
@FunctionalInterface
public interface BatchFunction<I, O> {

  /**
   * Processes {@code items}.
   *
   * @param items the items of one batch, never empty; the list is read-only
   * @return one result per item, in the same order
   * @throws Exception when the batch as a whole cannot be processed
   */
  List<O> apply(List<I> items) throws Exception;
}
