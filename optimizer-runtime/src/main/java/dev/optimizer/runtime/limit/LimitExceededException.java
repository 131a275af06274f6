package dev.optimizer.runtime.limit;

import java.util.concurrent.RejectedExecutionException;

/**
 * A {@link ConcurrencyLimiter} refused a permit: its wait queue was full, or no permit freed up
 * within the caller's timeout. The message and the accessors give the limiter's state at that
 * moment.
 */
public final class LimitExceededException extends RejectedExecutionException {

  private static final long serialVersionUID = 1L;

  private final boolean timedOut;
  private final int limit;
  private final int inFlight;
  private final int queued;

  LimitExceededException(String message, boolean timedOut, int limit, int inFlight, int queued) {
    super(message);
    this.timedOut = timedOut;
    this.limit = limit;
    this.inFlight = inFlight;
    this.queued = queued;
  }

  /** Returns {@code true} for a timeout, {@code false} for a full queue. */
  public boolean timedOut() {
    return timedOut;
  }

  /** Returns the limit at the time of refusal. */
  public int limit() {
    return limit;
  }

  /** Returns the permits held at the time of refusal. */
  public int inFlight() {
    return inFlight;
  }

  /** Returns the callers waiting at the time of refusal, this one not included. */
  public int queued() {
    return queued;
  }
}
