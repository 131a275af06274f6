package dev.optimizer.ai.chat.internal.resilience;

/** An attempt that did not answer within the per-call timeout; it was interrupted. */
public final class AttemptTimeoutException extends dev.langchain4j.exception.TimeoutException {
  private static final long serialVersionUID = 1L;

  /** An exception naming the timeout and the model. */
  public AttemptTimeoutException(String message) {
    super(message);
  }
}
