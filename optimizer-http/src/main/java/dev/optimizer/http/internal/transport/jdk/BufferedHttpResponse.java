package dev.optimizer.http.internal.transport.jdk;

import dev.optimizer.http.internal.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLSession;

/**
 * An {@link HttpResponse} over a {@link Reply}, its body made by the caller's handler: from the
 * buffered bytes, or from the body the transport left unread (a stream, or one too large to
 * buffer), relayed as it arrives.
 */
final class BufferedHttpResponse<T> implements HttpResponse<T> {
  private final HttpRequest request;
  private final Reply reply;
  private final T body;

  private BufferedHttpResponse(HttpRequest request, Reply reply, T body) {
    this.request = request;
    this.reply = reply;
    this.body = body;
  }

  /**
   * Feeds the body to the application's {@link BodyHandler}: a buffered one as one read-only
   * buffer, an unread one as it arrives, at the pace the handler's subscriber asks for. The handler
   * sees the same status, fields and bytes it would have seen from the network; as with the plain
   * client, the response is complete when the subscriber's body is (at once for {@code
   * ofInputStream}, {@code ofLines} and {@code ofPublisher}).
   */
  static <T> CompletableFuture<HttpResponse<T>> deliver(
      HttpRequest request, Reply reply, BodyHandler<T> handler) {
    ResponseInfo info =
        new ResponseInfo() {
          @Override
          public int statusCode() {
            return reply.status();
          }

          @Override
          public HttpHeaders headers() {
            return reply.headers();
          }

          @Override
          public HttpClient.Version version() {
            return reply.version();
          }
        };
    BodySubscriber<T> subscriber;
    try {
      subscriber = handler.apply(info);
    } catch (RuntimeException | Error e) {
      reply.discard(); // nobody will read it now
      throw e;
    }
    if (reply.isUnread()) {
      // A transport leaves a body unread here only as an UnreadBody (JDK and Netty alike).
      @SuppressWarnings("unchecked")
      Flow.Publisher<List<ByteBuffer>> stream =
          (Flow.Publisher<List<ByteBuffer>>) reply.unread().body();
      stream.subscribe(subscriber);
    } else {
      subscriber.onSubscribe(new OneShot(subscriber, reply.body()));
    }
    CompletableFuture<T> body = subscriber.getBody().toCompletableFuture();
    if (body.isDone() && !body.isCompletedExceptionally()) {
      return CompletableFuture.completedFuture(
          new BufferedHttpResponse<>(request, reply, body.join()));
    }
    return body.thenApply(b -> new BufferedHttpResponse<>(request, reply, b));
  }

  /** A subscription that hands over one buffer, then completes. */
  private static final class OneShot implements Flow.Subscription {
    private final BodySubscriber<?> subscriber;
    private final byte[] bytes;
    private final AtomicBoolean delivered = new AtomicBoolean();

    OneShot(BodySubscriber<?> subscriber, byte[] bytes) {
      this.subscriber = subscriber;
      this.bytes = bytes;
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        if (delivered.compareAndSet(false, true)) {
          subscriber.onError(new IllegalArgumentException("non-positive request: " + n));
        }
        return;
      }
      if (delivered.compareAndSet(false, true)) {
        if (bytes.length > 0) {
          subscriber.onNext(List.of(ByteBuffer.wrap(bytes).asReadOnlyBuffer()));
        }
        subscriber.onComplete();
      }
    }

    @Override
    public void cancel() {
      delivered.set(true);
    }
  }

  @Override
  public int statusCode() {
    return reply.status();
  }

  /** The JDK client's own response this one was made from; null for a cache's answer. */
  private HttpResponse<?> exchanged() {
    return reply.nativeResponse() instanceof HttpResponse<?> r ? r : null;
  }

  /**
   * The request that got this response, as the plain client reports it: the caller's own, or after
   * a redirect the one sent to its target.
   */
  @Override
  public HttpRequest request() {
    HttpResponse<?> exchanged = exchanged();
    return exchanged != null && !exchanged.uri().equals(request.uri())
        ? exchanged.request()
        : request;
  }

  /** The responses that redirected to this one (the plain client's, whose bodies are null). */
  @Override
  @SuppressWarnings("unchecked")
  public Optional<HttpResponse<T>> previousResponse() {
    HttpResponse<?> exchanged = exchanged();
    return exchanged == null
        ? Optional.empty()
        : exchanged.previousResponse().map(p -> (HttpResponse<T>) p);
  }

  @Override
  public HttpHeaders headers() {
    return reply.headers();
  }

  @Override
  public T body() {
    return body;
  }

  /** The TLS session the response arrived over; empty for plain HTTP and for a cache's answer. */
  @Override
  public Optional<SSLSession> sslSession() {
    HttpResponse<?> exchanged = exchanged();
    return exchanged == null ? Optional.empty() : exchanged.sslSession();
  }

  @Override
  public URI uri() {
    return reply.uri();
  }

  @Override
  public HttpClient.Version version() {
    return reply.version();
  }

  @Override
  public String toString() {
    return "(" + request.method() + " " + reply.uri() + ") " + reply.status();
  }
}
