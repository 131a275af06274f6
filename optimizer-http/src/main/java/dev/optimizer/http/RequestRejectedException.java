package dev.optimizer.http;

import java.io.IOException;

/**
 * The optimizer refused to send a request: the host's concurrency limit had no room within the
 * queue timeout, or the host's circuit breaker is open. The request did not reach the server, so it
 * is safe to try again later. The message gives the state at the time of refusal.
 */
public final class RequestRejectedException extends IOException {
  private static final long serialVersionUID = 1L;

  /** Why a request was refused. */
  public enum Reason {
    /** No permit of the host's concurrency limit freed up within the queue timeout. */
    LIMIT_TIMEOUT,
    /** The host's queue of waiting requests was full. */
    LIMIT_QUEUE_FULL,
    /** The host's circuit breaker is open. */
    CIRCUIT_OPEN
  }

  private final Reason reason;

  /** A refusal for a reason, with a message giving the state. */
  public RequestRejectedException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** Why the request was refused. */
  public Reason reason() {
    return reason;
  }
}
