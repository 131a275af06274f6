package dev.optimizer.runtime.batch;

/**
 * The outcome sink of one batch handed to a {@link PerItemBatchFunction}. Thread-safe. The first
 * outcome reported for an index wins; later ones for the same index are ignored, so that a result
 * can never be delivered twice or replaced.
 *
 * @param <O> the result type
 */
public interface ItemResults<O> {

  /** Returns the number of items in the batch. */
  int size();

  /**
   * Delivers the result of item {@code index}.
   *
   * @return {@code true} if this settled the item, {@code false} if it had been settled before
   * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, size())}
   */
  boolean complete(int index, O value);

  /**
   * Fails item {@code index} with {@code error}.
   *
   * @return {@code true} if this settled the item, {@code false} if it had been settled before
   * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, size())}
   */
  boolean fail(int index, Throwable error);
}
