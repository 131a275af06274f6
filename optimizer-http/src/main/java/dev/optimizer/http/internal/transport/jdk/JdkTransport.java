package dev.optimizer.http.internal.transport.jdk;

import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.Reply;
import dev.optimizer.http.internal.Transport;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Sends calls with the application's own {@link HttpClient} (its executor, proxy, TLS, redirect and
 * authentication settings all apply) and buffers each body, up to a cap: a body larger than {@code
 * maxBodyBytes} fails the request with a clear {@link IOException} rather than exhausting the heap.
 * Only a complete body makes a {@link Reply}, so nothing partial is ever cached.
 */
public final class JdkTransport implements Transport {
  private final HttpClient client;
  private final Clock clock;
  private final long maxBodyBytes;

  /** A transport over the application's client. */
  public JdkTransport(HttpClient client, Clock clock, long maxBodyBytes) {
    this.client = client;
    this.clock = clock;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public CompletableFuture<Reply> send(HttpCall call) {
    HttpRequest request = (HttpRequest) call.nativeRequest();
    if (!call.extraHeaders().isEmpty()) {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(
              request,
              (name, value) -> !call.extraHeaders().containsKey(name.toLowerCase(Locale.ROOT)));
      call.extraHeaders().forEach(b::setHeader);
      request = b.build();
    }
    long requestTime = clock.millis();
    CompletableFuture<HttpResponse<byte[]>> sent =
        client.sendAsync(request, info -> new CappedBytes(maxBodyBytes, info));
    CompletableFuture<Reply> reply =
        sent.thenApply(
            r ->
                new Reply(
                    r.statusCode(),
                    r.headers(),
                    r.body(),
                    r.version(),
                    r.uri(),
                    requestTime,
                    clock.millis(),
                    Reply.Source.NETWORK));
    reply.whenComplete(
        (r, e) -> {
          if (reply.isCancelled()) {
            sent.cancel(true); // aborts the exchange (JDK 16+)
          }
        });
    return reply;
  }

  /** A body over the cap: not a transient failure, so never retried. */
  public static final class ResponseTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    ResponseTooLargeException(String message) {
      super(message);
    }
  }

  /** Collects a body, failing once it grows past the cap. */
  static final class CappedBytes implements HttpResponse.BodySubscriber<byte[]> {
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private final List<ByteBuffer> parts = new ArrayList<>();
    private final long max;
    private long size;
    private Flow.Subscription subscription;

    CappedBytes(long max, HttpResponse.ResponseInfo info) {
      this.max = max;
      long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
      if (declared > max) {
        body.completeExceptionally(tooLarge(declared));
      }
    }

    private IOException tooLarge(long bytes) {
      return new ResponseTooLargeException(
          "response body of at least "
              + bytes
              + " bytes exceeds maxResponseBodyBytes="
              + max
              + " (the optimizer buffers bodies; raise the setting or send this request with"
              + " the unwrapped client)");
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      this.subscription = s;
      if (body.isDone()) {
        s.cancel();
      } else {
        s.request(Long.MAX_VALUE);
      }
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      if (body.isDone()) {
        return;
      }
      for (ByteBuffer b : items) {
        size += b.remaining();
        parts.add(b);
      }
      if (size > max) {
        parts.clear();
        body.completeExceptionally(tooLarge(size));
        subscription.cancel();
      }
    }

    @Override
    public void onError(Throwable error) {
      parts.clear();
      body.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
      byte[] all = new byte[(int) size];
      int at = 0;
      for (ByteBuffer b : parts) {
        int n = b.remaining();
        b.get(all, at, n);
        at += n;
      }
      parts.clear();
      body.complete(all);
    }
  }
}
