package dev.optimizer.ai.inference;

/**
 * The error a caller of an {@link InferenceBatcher} gets when its deadline passed before its item
 * reached a worker. Items already in a running batch are not interrupted: they finish.
 */
public final class DeadlineExceededException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  DeadlineExceededException(String batcher, long waitedNanos, long timeoutNanos, String state) {
    super(
        "InferenceBatcher '"
            + batcher
            + "': deadline of "
            + fmt(timeoutNanos)
            + " passed after waiting "
            + fmt(waitedNanos)
            + " in the queue ("
            + state
            + ")");
  }

  private static String fmt(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f ms", nanos / 1e6);
  }
}
