package dev.optimizer.http.spring;

import dev.optimizer.http.internal.Reply;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseCookie;
import org.springframework.http.client.reactive.ClientHttpResponse;
import org.springframework.util.MultiValueMap;
import reactor.core.publisher.Flux;

/**
 * A reactive {@link ClientHttpResponse} over a buffered {@link Reply}: the same bytes whether the
 * origin, the cache or a coalesced request supplied them, as one buffer; nothing to release. A
 * reply whose body the pipeline left unread (a stream, or one too large to buffer) hands on that
 * body, as the wrapped connector's response would.
 */
final class BufferedReactiveResponse implements ClientHttpResponse {
  private final Reply reply;
  private final HttpHeaders headers;

  BufferedReactiveResponse(Reply reply) {
    this.reply = reply;
    this.headers = SpringHeaders.toSpring(reply.headers());
  }

  @Override
  public HttpStatusCode getStatusCode() {
    return HttpStatusCode.valueOf(reply.status());
  }

  @Override
  public HttpHeaders getHeaders() {
    return headers;
  }

  @Override
  public MultiValueMap<String, ResponseCookie> getCookies() {
    return SpringHeaders.cookies(reply.headers());
  }

  @Override
  public Flux<DataBuffer> getBody() {
    return HttpOptimizerExchangeFilter.body(reply);
  }
}
