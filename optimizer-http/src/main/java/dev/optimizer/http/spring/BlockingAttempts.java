package dev.optimizer.http.spring;

import dev.optimizer.http.internal.AdapterSupport;
import dev.optimizer.http.internal.Futures;
import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.Reply;
import dev.optimizer.http.internal.ResponseBodies;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.SequenceInputStream;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.client.ClientHttpResponse;

/**
 * What the blocking Spring adapters (the request factory and the interceptor) share: one attempt
 * runs on one of the optimizer's I/O threads, so that a hedge can answer while a slow attempt still
 * waits, its body read whole (a stream or a body over the limit is handed on unread); the calling
 * thread waits for the pipeline's answer.
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
                    try {
                      Reply reply = read(support, call, send.execute(), requestTime);
                      if (!result.complete(reply)) {
                        reply.discard(); // cancelled meanwhile: nobody will read its body
                      }
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
   * A response as a {@link Reply}: its body read whole when it fits in {@code
   * maxResponseBodyBytes}, the response closed. A stream (see {@link ResponseBodies#isStream}) or a
   * declared length over the limit is not read: the reply carries the open response, for the caller
   * to read. A body of undeclared length that grows past the limit is handed on too, as what was
   * read followed by the rest of the stream.
   */
  private static Reply read(
      AdapterSupport support, HttpCall call, ClientHttpResponse response, long requestTime)
      throws IOException {
    boolean handedOn = false;
    try {
      int status = response.getStatusCode().value();
      long max = support.maxResponseBodyBytes();
      long declared = SpringReplies.declaredLength(call.method(), status, response.getHeaders());
      String type = response.getHeaders().getFirst(HttpHeaders.CONTENT_TYPE);
      Reply reply;
      if (ResponseBodies.unbuffered(call.method(), status, type, declared, max)) {
        reply = unread(support, call, status, response, response, requestTime);
      } else {
        InputStream in = response.getBody();
        ByteArrayOutputStream read = BufferedClientHttpResponse.readUpTo(in, declared, max);
        if (read.size() <= max) {
          return SpringReplies.network(
              status,
              response.getHeaders(),
              read.toByteArray(),
              call.uri(),
              requestTime,
              support.clock().millis());
        }
        InputStream whole =
            new SequenceInputStream(new ByteArrayInputStream(read.toByteArray()), in);
        reply =
            unread(
                support,
                call,
                status,
                response,
                new BufferedClientHttpResponse.Continued(response, whole),
                requestTime);
      }
      handedOn = true;
      return reply;
    } finally {
      if (!handedOn) {
        response.close();
      }
    }
  }

  private static Reply unread(
      AdapterSupport support,
      HttpCall call,
      int status,
      ClientHttpResponse response,
      ClientHttpResponse handedOn,
      long requestTime) {
    Reply r =
        SpringReplies.network(
            status, response.getHeaders(), new byte[0], call.uri(), requestTime, 0);
    return new Reply(
        r.status(),
        r.headers(),
        r.body(),
        r.version(),
        r.uri(),
        requestTime,
        support.clock().millis(),
        r.source(),
        new Reply.Unread(handedOn, handedOn::close));
  }

  /**
   * Waits for the pipeline's answer on the calling thread; failures are {@link IOException}s, as
   * Spring's request factories throw them.
   */
  static ClientHttpResponse await(CompletableFuture<Reply> reply) throws IOException {
    try {
      Reply r = reply.get();
      return r.isUnread()
          ? (ClientHttpResponse) r.unread().body()
          : new BufferedClientHttpResponse(r);
    } catch (InterruptedException e) {
      if (!reply.cancel(true) && reply.isDone() && !reply.isCompletedExceptionally()) {
        reply.join().discard(); // answered as we were interrupted: its body is nobody's now
      }
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
