package dev.optimizer.http.internal;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The steps in order, ending in a transport. Immutable and thread-safe. */
public final class Pipeline {
  private final Step[] steps;
  private final Transport transport;

  /** A pipeline of the given steps, outermost first. */
  public Pipeline(List<Step> steps, Transport transport) {
    this.steps = steps.toArray(new Step[0]);
    this.transport = transport;
  }

  /** Runs a call through every step. */
  public CompletableFuture<Reply> execute(HttpCall call) {
    return proceed(0, call);
  }

  private CompletableFuture<Reply> proceed(int index, HttpCall call) {
    if (index == steps.length) {
      return transport.send(call);
    }
    Step step = steps[index];
    try {
      return step.apply(call, next -> proceed(index + 1, next));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
