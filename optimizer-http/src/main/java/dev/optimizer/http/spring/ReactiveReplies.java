package dev.optimizer.http.spring;

import dev.optimizer.http.internal.AdapterSupport;
import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.Reply;
import dev.optimizer.http.internal.ResponseTooLargeException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The WebClient adapters' half of {@link SpringReplies}, apart because it names Reactor types,
 * which a servlet application using only RestClient may not have.
 */
final class ReactiveReplies {
  private ReactiveReplies() {}

  /**
   * A reactive response read whole, up to {@code maxResponseBodyBytes}: refused at once when it
   * declares more (its body released unread), failed with {@link ResponseTooLargeException} when
   * more arrives.
   */
  static Mono<Reply> read(
      HttpCall call,
      int status,
      HttpHeaders headers,
      Flux<DataBuffer> body,
      AdapterSupport support,
      long requestTimeMillis) {
    long max = support.maxResponseBodyBytes();
    long declared = SpringReplies.declaredLength(call.method(), status, headers);
    if (declared > max) {
      return body.map(DataBufferUtils::release)
          .then(Mono.error(ResponseTooLargeException.of(max, declared)));
    }
    return DataBufferUtils.join(body, (int) Math.min(max, Integer.MAX_VALUE - 8))
        .map(SpringReplies::bytes)
        .defaultIfEmpty(new byte[0])
        .map(
            bytes ->
                SpringReplies.network(
                    status,
                    headers,
                    bytes,
                    call.uri(),
                    requestTimeMillis,
                    support.clock().millis()))
        .onErrorMap(
            DataBufferLimitException.class, e -> ResponseTooLargeException.of(max, max + 1));
  }
}
