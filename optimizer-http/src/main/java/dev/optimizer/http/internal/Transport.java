package dev.optimizer.http.internal;

import java.util.concurrent.CompletableFuture;

/**
 * Sends one physical request and buffers its response. Cancelling the returned future aborts the
 * exchange. Implementations are thread-safe.
 */
public interface Transport {

  /** Sends the call once; fails with an {@link java.io.IOException} on a transport error. */
  CompletableFuture<Reply> send(HttpCall call);

  /**
   * Whether the calling thread is one of the transport's own (an event loop), on which the calls in
   * flight are carried: whoever runs there must not block waiting for them to end. False for a
   * transport without threads of its own.
   */
  default boolean isOwnThread() {
    return false;
  }
}
