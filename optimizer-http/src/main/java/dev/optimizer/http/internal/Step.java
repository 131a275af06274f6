package dev.optimizer.http.internal;

import java.util.concurrent.CompletableFuture;

/**
 * One step of the pipeline, in the shape of an OkHttp interceptor: it may answer by itself, or pass
 * the call (possibly changed) to the rest of the chain. A step must never block; cancelling the
 * future it returns must cancel what it started.
 */
@FunctionalInterface
public interface Step {

  /** Handles a call; {@code next} runs the rest of the pipeline. */
  CompletableFuture<Reply> apply(HttpCall call, Chain next);

  /** The rest of the pipeline, as seen from one step. */
  @FunctionalInterface
  interface Chain {
    /** Runs the call through the remaining steps and the transport. */
    CompletableFuture<Reply> proceed(HttpCall call);
  }
}
