package dev.optimizer.runtime.batch;

import java.util.List;

/**
 * Processes a whole batch and settles each item on its own, possibly later and from another thread:
 * the variant for back ends that answer item by item (a streaming response, a bulk API that reports
 * per-row errors).
 *
 * <p>The batch counts as in flight until every item has been settled through {@code results}. An
 * exception thrown by {@link #apply} fails every item not yet settled. Items that the function
 * never settles stay pending until {@link MicroBatcher#close()} fails them after its {@code
 * closeTimeout}; a function should therefore always settle every index.
 *
 * @param <I> the item type
 * @param <O> the result type
 */
@FunctionalInterface
public interface PerItemBatchFunction<I, O> {

  /**
   * Starts processing {@code items}; settle item {@code i} with {@code results.complete(i, ..)} or
   * {@code results.fail(i, ..)}.
   *
   * @param items the items of one batch, never empty; the list is read-only
   * @param results where to report each item's outcome; safe to use from any thread
   * @throws Exception when the batch as a whole cannot be processed
   */
  void apply(List<I> items, ItemResults<O> results) throws Exception;
}
