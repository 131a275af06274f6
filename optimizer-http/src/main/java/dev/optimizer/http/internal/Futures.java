package dev.optimizer.http.internal;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Small helpers for the pipeline's futures. */
public final class Futures {
  private Futures() {}

  /** Cancels {@code inner} when {@code outer} is cancelled (or completed by someone else). */
  public static <T> void propagateCancel(CompletableFuture<?> outer, CompletableFuture<T> inner) {
    outer.whenComplete(
        (v, e) -> {
          if (outer.isCancelled() && !inner.isDone()) {
            inner.cancel(true);
          }
        });
  }

  /**
   * Makes {@code target} stand for {@code source}: it completes with source's outcome, and
   * cancelling it cancels source. For a future handed to a caller in place of one started later.
   */
  public static <T> void follow(CompletableFuture<T> source, CompletableFuture<T> target) {
    propagateCancel(target, source);
    relay(source, target);
  }

  /** Completes {@code target} with the outcome of {@code source}. */
  public static <T> void relay(CompletableFuture<T> source, CompletableFuture<T> target) {
    source.whenComplete(
        (v, e) -> {
          if (e == null) {
            target.complete(v);
          } else {
            target.completeExceptionally(unwrap(e));
          }
        });
  }

  /**
   * A failed call's cause as a blocking caller throws it: an {@link IOException} to throw as is;
   * unchecked exceptions and errors are rethrown here; anything else is wrapped.
   */
  public static IOException asIoException(Throwable cause) {
    if (cause instanceof IOException io) {
      return io;
    }
    if (cause instanceof RuntimeException re) {
      throw re;
    }
    if (cause instanceof Error err) {
      throw err;
    }
    return new IOException(cause.getMessage(), cause);
  }

  /** The cause of a CompletionException or ExecutionException. */
  public static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
