package dev.optimizer.http.internal;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Small helpers for the pipeline's futures. */
public final class Futures {
  private Futures() {}

  /**
   * Cancels {@code inner} when {@code outer} is cancelled. A {@link Reply} that {@code inner} ends
   * with anyway (it was answered just before the cancellation reached it, and the step that would
   * have handed it on saw its result cancelled) is {@link Reply#discard() released}: nobody will
   * read it, and an unread body would hold its connection.
   */
  public static <T> void propagateCancel(CompletableFuture<?> outer, CompletableFuture<T> inner) {
    outer.whenComplete(
        (v, e) -> {
          if (outer.isCancelled()) {
            if (!inner.isDone()) {
              inner.cancel(true);
            }
            inner.thenAccept(Futures::discardIfReply);
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

  /**
   * Completes {@code target} with the outcome of {@code source}; a {@link Reply} that target no
   * longer takes (it was cancelled) is released.
   */
  public static <T> void relay(CompletableFuture<T> source, CompletableFuture<T> target) {
    source.whenComplete(
        (v, e) -> {
          if (e == null) {
            if (!target.complete(v)) {
              discardIfReply(v);
            }
          } else {
            target.completeExceptionally(unwrap(e));
          }
        });
  }

  /**
   * Completes {@code target} with {@code reply}, or releases the reply when target is already done
   * (a caller that cancelled): an unread body handed to nobody would hold its connection.
   */
  public static void deliver(CompletableFuture<Reply> target, Reply reply) {
    if (!target.complete(reply)) {
      reply.discard();
    }
  }

  private static void discardIfReply(Object value) {
    if (value instanceof Reply reply) {
      reply.discard();
    }
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
