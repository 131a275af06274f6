package dev.optimizer.ai.inference;

/**
 * The error a caller gets when the model failed for its input: the input was run alone after its
 * batch failed, and failed again. The model's own exception is the cause.
 */
public final class InferenceFailedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  InferenceFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
