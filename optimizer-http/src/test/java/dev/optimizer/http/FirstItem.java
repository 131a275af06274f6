package dev.optimizer.http;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/** Test support: reads one item of a response body's publisher, then cancels the subscription. */
final class FirstItem {
  private FirstItem() {}

  /**
   * The first item {@code body} delivers (or its error); the subscription is cancelled after it.
   */
  static CompletableFuture<List<ByteBuffer>> thenCancel(Flow.Publisher<List<ByteBuffer>> body) {
    CompletableFuture<List<ByteBuffer>> first = new CompletableFuture<>();
    body.subscribe(
        new Flow.Subscriber<>() {
          private Flow.Subscription subscription;

          @Override
          public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
          }

          @Override
          public void onNext(List<ByteBuffer> item) {
            first.complete(item);
            subscription.cancel();
          }

          @Override
          public void onError(Throwable t) {
            first.completeExceptionally(t);
          }

          @Override
          public void onComplete() {}
        });
    return first;
  }
}
