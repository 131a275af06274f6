package dev.optimizer.http.internal;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The steps in order, ending in a transport. Immutable and thread-safe. */
public final class Pipeline {
  private final Step[] steps;
  private final Transport transport;

  /**
   * {@code rest[i]} runs a call from step {@code i} on: made once here rather than as a new lambda
   * at every step of every call.
   */
  private final Step.Chain[] rest;

  /** A pipeline of the given steps, outermost first. */
  public Pipeline(List<Step> steps, Transport transport) {
    this.steps = steps.toArray(new Step[0]);
    this.transport = transport;
    this.rest = new Step.Chain[this.steps.length + 1];
    for (int i = 0; i < rest.length; i++) {
      int index = i;
      rest[i] = call -> proceed(index, call);
    }
  }

  /** The transport the steps end in. */
  public Transport transport() {
    return transport;
  }

  /** Runs a call through every step. */
  public CompletableFuture<Reply> execute(HttpCall call) {
    return proceed(0, call);
  }

  private CompletableFuture<Reply> proceed(int index, HttpCall call) {
    if (index == steps.length) {
      return transport.send(call);
    }
    try {
      return steps[index].apply(call, rest[index + 1]);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
