package dev.optimizer.ai.inference;

/**
 * The error a caller's future gets when the model threw for its input: the input was alone in its
 * batch, or was run alone after its batch failed and failed again, or its batch failed with an
 * error of the model or service as a whole, which fails every caller of the batch without running
 * any alone (see {@link InferenceBatcherBuilder#splitFailedBatchWhen}). The model's own exception
 * is the cause; {@link InferenceBatcher#call} and the embedding decorators rethrow that cause
 * instead.
 */
public final class InferenceFailedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  InferenceFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
