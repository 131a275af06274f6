package dev.optimizer.http.internal.transport.netty;

import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * Reads a JDK request's {@link HttpRequest.BodyPublisher} into one array, so that the request can
 * be written with a Content-Length and sent again by a retry or a hedge.
 */
final class RequestBodies {
  private RequestBodies() {}

  /** The whole body; empty when the request has none. */
  static CompletableFuture<byte[]> collect(HttpRequest request) {
    HttpRequest.BodyPublisher publisher = request.bodyPublisher().orElse(null);
    if (publisher == null || publisher.contentLength() == 0) {
      return CompletableFuture.completedFuture(new byte[0]);
    }
    Collector collector = new Collector();
    publisher.subscribe(collector);
    return collector.body;
  }

  private static final class Collector implements Flow.Subscriber<ByteBuffer> {
    final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private final List<byte[]> parts = new ArrayList<>();
    private int size;

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(ByteBuffer item) {
      byte[] b = new byte[item.remaining()];
      item.get(b);
      parts.add(b);
      size += b.length;
    }

    @Override
    public void onError(Throwable error) {
      body.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
      byte[] all = new byte[size];
      int at = 0;
      for (byte[] p : parts) {
        System.arraycopy(p, 0, all, at, p.length);
        at += p.length;
      }
      body.complete(all);
    }
  }
}
