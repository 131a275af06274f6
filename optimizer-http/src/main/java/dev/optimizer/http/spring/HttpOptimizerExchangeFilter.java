package dev.optimizer.http.spring;

import dev.optimizer.api.internal.Checks;
import dev.optimizer.http.HttpOptimizer;
import dev.optimizer.http.internal.AdapterSupport;
import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.Pipeline;
import dev.optimizer.http.internal.Reply;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpRequest;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.ExchangeStrategies;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Puts an {@link HttpOptimizer}'s pipeline (cache, coalescing, adaptive limit, retries, hedging,
 * circuit breaker) in front of a Spring {@code WebClient}:
 *
 * <pre>{@code
 * WebClient client = WebClient.builder()
 *     .filter(HttpOptimizerExchangeFilter.of(httpOptimizer))
 *     .build();
 * }</pre>
 *
 * <p><b>Prefer {@link HttpOptimizerConnector}</b>, which runs after every filter. This filter sees
 * a request as it is when it runs: a filter registered after it (one setting {@code Authorization:
 * Bearer <user token>}, say) runs later, so the pipeline computes the identity, coalescing key and
 * cache key without its header fields, and different users are coalesced and cached as one.
 * Register it <b>last</b>, after every filter that adds credentials. A retry or a hedge calls the
 * rest of the chain again, so filters after this one run once per attempt. A request with a body is
 * sent once, never retried or hedged: its body may be readable only once ({@link
 * HttpOptimizerConnector} buffers it and retries). Nothing blocks: attempts are the client's own
 * exchanges, and cancelling the subscription cancels them (a hedge's loser is cancelled the same
 * way). Each response body is read whole, up to {@code maxResponseBodyBytes}, so that it can be
 * cached and shared, and handed on as one buffer; a stream ({@code text/event-stream}, NDJSON and
 * the like) and a larger body are handed on as they arrive, never cached or shared. Responses are
 * decoded with the codecs of the client that sent them; a cache hit before this filter has seen any
 * response of its own uses Spring's default codecs.
 *
 * <p>In {@link dev.optimizer.api.Mode#OFF} requests pass straight to the next function. After
 * {@link HttpOptimizer#close()} a request fails with an {@code IOException} before anything is sent
 * (in {@code OFF}, it still passes straight through). Thread-safe; one instance may serve many
 * clients.
 */
public final class HttpOptimizerExchangeFilter implements ExchangeFilterFunction {
  private final AdapterSupport support;
  private final Pipeline pipeline;
  private volatile ExchangeStrategies strategies;

  private HttpOptimizerExchangeFilter(HttpOptimizer http) {
    this.support = http.adapterSupport();
    this.pipeline = support.pipeline(this::send);
  }

  /**
   * A filter running requests through {@code http}'s pipeline.
   *
   * @throws IllegalStateException if {@code http} is closed
   */
  public static HttpOptimizerExchangeFilter of(HttpOptimizer http) {
    return new HttpOptimizerExchangeFilter(Checks.notNull("http", http));
  }

  @Override
  public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
    if (!support.active()) {
      return next.exchange(request);
    }
    return Mono.defer(
        () -> {
          java.net.http.HttpHeaders headers = SpringHeaders.toJdk(request.headers());
          boolean hasBody = request.body() != BodyInserters.empty();
          HttpCall call =
              support.call(
                  request.method().name(),
                  request.url(),
                  headers,
                  hasBody,
                  new Exchange(request, next));
          // Each attempt writes the body anew, and a body may be readable only once (a Flux the
          // application passed): such a request goes out once.
          HttpCall once = hasBody ? call.sentOnce() : call;
          // Not suppressing cancel: a cancelled subscription cancels the pipeline's future,
          // which cancels every attempt in flight.
          return Mono.fromFuture(pipeline.execute(once), false)
              .map(reply -> toResponse(request, reply));
        });
  }

  /** The transport: one attempt, as the rest of the chain's exchange, its body read whole. */
  private CompletableFuture<Reply> send(HttpCall call) {
    Exchange exchange = (Exchange) call.nativeRequest();
    ClientRequest request =
        call.extraHeaders().isEmpty()
            ? exchange.request()
            : ClientRequest.from(exchange.request())
                .headers(h -> call.extraHeaders().forEach(h::set))
                .build();
    long requestTime = support.clock().millis();
    return exchange
        .next()
        .exchange(request)
        .flatMap(
            response -> {
              strategies = response.strategies();
              return ReactiveReplies.read(
                  call,
                  response.statusCode().value(),
                  response.headers().asHttpHeaders(),
                  response.body(BodyExtractors.toDataBuffers()),
                  support,
                  requestTime);
            })
        .toFuture();
  }

  private ClientResponse toResponse(ClientRequest request, Reply reply) {
    ExchangeStrategies codecs = strategies;
    HttpHeaders headers = SpringHeaders.toSpring(reply.headers());
    return ClientResponse.create(
            HttpStatusCode.valueOf(reply.status()),
            codecs != null ? codecs : ExchangeStrategies.withDefaults())
        .headers(h -> headers.forEach((name, values) -> values.forEach(v -> h.add(name, v))))
        .cookies(c -> c.addAll(SpringHeaders.cookies(reply.headers())))
        .body(body(reply))
        .request(new RequestView(request))
        .build();
  }

  /** The body of a reply: one buffer, or the stream the pipeline left unread. */
  @SuppressWarnings("unchecked")
  static Flux<DataBuffer> body(Reply reply) {
    if (reply.isUnread()) {
      return (Flux<DataBuffer>) reply.unread().body();
    }
    byte[] body = reply.body();
    return body.length == 0
        ? Flux.empty()
        : Flux.defer(() -> Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(body)));
  }

  /** What one attempt needs: the request and the rest of the chain. */
  private record Exchange(ClientRequest request, ExchangeFunction next) {}

  /** The request as a response's {@code request()} reports it (in error messages, for one). */
  private record RequestView(ClientRequest request) implements HttpRequest {
    @Override
    public HttpMethod getMethod() {
      return request.method();
    }

    @Override
    public URI getURI() {
      return request.url();
    }

    @Override
    public HttpHeaders getHeaders() {
      return request.headers();
    }

    @Override
    public Map<String, Object> getAttributes() {
      return request.attributes();
    }
  }
}
