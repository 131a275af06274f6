package dev.optimizer.http.spring;

import dev.optimizer.http.internal.AdapterSupport;
import dev.optimizer.http.internal.Futures;
import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.Reply;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import org.springframework.http.client.ClientHttpResponse;

/**
 * What the blocking Spring adapters (the request factory and the interceptor) share: one attempt
 * runs on one of the optimizer's I/O threads, so that a hedge can answer while a slow attempt still
 * waits, its body read whole; the calling thread waits for the pipeline's answer.
 */
final class BlockingAttempts {
  private BlockingAttempts() {}

  /** Sends one attempt's request and returns its response (blocking). */
  @FunctionalInterface
  interface Send {
    ClientHttpResponse execute() throws IOException;
  }

  /**
   * Runs {@code send} on an I/O thread and reads its response into a {@link Reply}. Cancelling the
   * result (a hedge won, or the caller gave up) interrupts the attempt.
   */
  static CompletableFuture<Reply> attempt(AdapterSupport support, HttpCall call, Send send) {
    CompletableFuture<Reply> result = new CompletableFuture<>();
    long requestTime = support.clock().millis();
    Future<?> task;
    try {
      task =
          support
              .io()
              .submit(
                  () -> {
                    try (ClientHttpResponse response = send.execute()) {
                      int status = response.getStatusCode().value();
                      byte[] bytes =
                          BufferedClientHttpResponse.read(
                              response.getBody(),
                              SpringReplies.declaredLength(
                                  call.method(), status, response.getHeaders()),
                              support.maxResponseBodyBytes());
                      result.complete(
                          SpringReplies.network(
                              status,
                              response.getHeaders(),
                              bytes,
                              call.uri(),
                              requestTime,
                              support.clock().millis()));
                    } catch (Throwable t) {
                      result.completeExceptionally(t);
                    }
                  });
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(new IOException("HttpOptimizer is closed", e));
    }
    result.whenComplete(
        (r, e) -> {
          if (result.isCancelled()) {
            task.cancel(true); // a hedge won, or the caller gave up: abort this attempt
          }
        });
    return result;
  }

  /**
   * Waits for the pipeline's answer on the calling thread; failures are {@link IOException}s, as
   * Spring's request factories throw them.
   */
  static ClientHttpResponse await(CompletableFuture<Reply> reply) throws IOException {
    try {
      return new BufferedClientHttpResponse(reply.get());
    } catch (InterruptedException e) {
      reply.cancel(true);
      Thread.currentThread().interrupt();
      InterruptedIOException io = new InterruptedIOException("interrupted waiting for a response");
      io.initCause(e);
      throw io;
    } catch (ExecutionException e) {
      throw Futures.asIoException(Futures.unwrap(e));
    } catch (CancellationException e) {
      throw new IOException("request cancelled", e);
    }
  }
}
