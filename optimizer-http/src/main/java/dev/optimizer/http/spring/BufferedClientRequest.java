package dev.optimizer.http.spring;

import java.net.URI;
import org.reactivestreams.Publisher;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.AbstractClientHttpRequest;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A reactive request that a {@code WebClient} writes into memory rather than onto a connection: the
 * header fields, cookies and attributes as the client's chain ended them, and the body as its
 * codecs encoded it, read once. Each attempt of {@link HttpOptimizerConnector} then writes a copy
 * of it to a real request.
 */
final class BufferedClientRequest extends AbstractClientHttpRequest {
  private final HttpMethod method;
  private final URI uri;

  /** The encoded body; null when the request was completed without one. */
  private volatile byte[] body;

  BufferedClientRequest(HttpMethod method, URI uri) {
    this.method = method;
    this.uri = uri;
  }

  /** The body, or null if the request has none. */
  byte[] body() {
    return body;
  }

  @Override
  public HttpMethod getMethod() {
    return method;
  }

  @Override
  public URI getURI() {
    return uri;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T getNativeRequest() {
    return (T) this;
  }

  @Override
  public DataBufferFactory bufferFactory() {
    return DefaultDataBufferFactory.sharedInstance;
  }

  @Override
  public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
    return doCommit(
        () ->
            DataBufferUtils.join(body)
                .map(SpringReplies::bytes)
                .defaultIfEmpty(new byte[0])
                .doOnNext(bytes -> this.body = bytes)
                .then());
  }

  @Override
  public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
    Flux<DataBuffer> all = Flux.from(body).concatMap(Flux::from);
    return writeWith(all);
  }

  @Override
  public Mono<Void> setComplete() {
    return doCommit();
  }

  @Override
  protected void applyHeaders() {
    // kept in getHeaders(): each attempt copies them
  }

  @Override
  protected void applyCookies() {
    // kept in getCookies(): each attempt copies them
  }
}
