package dev.optimizer.runtime.batch;

/**
 * The error each caller of a batch gets when the batch function threw. Every caller gets its own
 * instance (so that one caller adding suppressed exceptions or rethrowing cannot disturb another);
 * the exception the function threw is the {@linkplain #getCause() cause} of each.
 */
public final class BatchFailedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int batchSize;
  private final int index;

  BatchFailedException(String batcherName, int batchSize, int index, Throwable cause) {
    super(
        "batch function of MicroBatcher '"
            + batcherName
            + "' failed for a batch of "
            + batchSize
            + " items (this item at index "
            + index
            + "): "
            + cause,
        cause);
    this.batchSize = batchSize;
    this.index = index;
  }

  /** Returns the number of items in the failed batch. */
  public int batchSize() {
    return batchSize;
  }

  /** Returns the position of this caller's item in the failed batch. */
  public int index() {
    return index;
  }
}
