package dev.optimizer.ai.chat.internal.resilience;

import dev.langchain4j.exception.RetriableException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/** A model skipped because its circuit breaker is open. */
public final class ModelUnavailableException extends RetriableException {
  private static final long serialVersionUID = 1L;

  private ModelUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The exception for a model whose breaker refused a call. */
  public static ModelUnavailableException open(String id, CircuitBreaker b, Throwable previous) {
    return new ModelUnavailableException(
        "circuit breaker of "
            + id
            + " is "
            + b.getState()
            + " (failure rate "
            + b.getMetrics().getFailureRate()
            + "%, threshold "
            + b.getCircuitBreakerConfig().getFailureRateThreshold()
            + "%, calls "
            + b.getMetrics().getNumberOfBufferedCalls()
            + ")",
        previous);
  }
}
