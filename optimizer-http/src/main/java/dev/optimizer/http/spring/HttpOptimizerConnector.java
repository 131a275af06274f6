package dev.optimizer.http.spring;

import dev.optimizer.api.internal.Checks;
import dev.optimizer.http.HttpOptimizer;
import dev.optimizer.http.internal.AdapterSupport;
import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.Pipeline;
import dev.optimizer.http.internal.Reply;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;
import reactor.core.publisher.Mono;

/**
 * Puts an {@link HttpOptimizer}'s pipeline (cache, coalescing, adaptive limit, retries, hedging,
 * circuit breaker) in front of a Spring {@code WebClient}, by wrapping the connector that sends its
 * requests:
 *
 * <pre>{@code
 * WebClient client = WebClient.builder()
 *     .clientConnector(HttpOptimizerConnector.wrap(httpOptimizer, new ReactorClientHttpConnector()))
 *     .filter(bearerTokenOfTheCurrentUser)   // any filter: they all run first
 *     .build();
 * }</pre>
 *
 * <p>The connector is the end of the client's chain: every exchange filter has run before the
 * pipeline sees a request, so the identity (Authorization, Cookie...), the coalescing key and the
 * cache key are those of the request as it goes on the wire. Each filter runs once per call; each
 * attempt (a retry, a hedge) is an exchange of the wrapped connector. The request, encoded by the
 * client's own codecs, is buffered once (a retry sends the same bytes again, so a body that can be
 * read only once is never read twice); each response body is read whole, up to {@code
 * maxResponseBodyBytes}, and decoded by the client's own codecs (a stream, such as {@code
 * text/event-stream} or NDJSON, and a larger body are handed on as they arrive, never cached or
 * shared). Nothing blocks: cancelling the subscription cancels the attempts in flight (a hedge's
 * loser is cancelled the same way).
 *
 * <p>In {@link dev.optimizer.api.Mode#OFF} each request goes straight to the wrapped connector,
 * unbuffered. After {@link HttpOptimizer#close()} a request fails with an {@code IOException}
 * before anything is sent (in {@code OFF}, it still passes straight through). Thread-safe; one
 * instance may serve many clients.
 */
public final class HttpOptimizerConnector implements ClientHttpConnector {
  private final AdapterSupport support;
  private final Pipeline pipeline;
  private final ClientHttpConnector delegate;

  private HttpOptimizerConnector(HttpOptimizer http, ClientHttpConnector delegate) {
    this.support = http.adapterSupport();
    this.delegate = delegate;
    this.pipeline = support.pipeline(this::send);
  }

  /**
   * A connector running the exchanges of {@code delegate} through {@code http}'s pipeline.
   *
   * @throws IllegalArgumentException if {@code delegate} is itself such a connector (the pipeline
   *     would run twice)
   * @throws IllegalStateException if {@code http} is closed
   */
  public static HttpOptimizerConnector wrap(HttpOptimizer http, ClientHttpConnector delegate) {
    Checks.notNull("http", http);
    Checks.notNull("delegate", delegate);
    if (delegate instanceof HttpOptimizerConnector) {
      throw new IllegalArgumentException(
          "delegate is an HttpOptimizerConnector already; wrap the connector it wraps");
    }
    return new HttpOptimizerConnector(http, delegate);
  }

  /** The connector that sends the requests. */
  public ClientHttpConnector delegate() {
    return delegate;
  }

  @Override
  public Mono<ClientHttpResponse> connect(
      HttpMethod method, URI uri, Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
    if (!support.active()) {
      return delegate.connect(method, uri, requestCallback);
    }
    return Mono.defer(
        () -> {
          BufferedClientRequest request = new BufferedClientRequest(method, uri);
          return requestCallback
              .apply(request)
              .then(
                  Mono.defer(
                      () -> {
                        java.net.http.HttpHeaders headers = onTheWire(request);
                        HttpCall call =
                            support.call(
                                method.name(),
                                uri,
                                headers,
                                request.body() != null && request.body().length > 0,
                                request);
                        // Not suppressing cancel: a cancelled subscription cancels the
                        // pipeline's future, which cancels every attempt in flight.
                        return Mono.fromFuture(pipeline.execute(call), false)
                            .map(BufferedReactiveResponse::new);
                      }));
        });
  }

  /** The header fields the request will carry: its own, and its cookies as a Cookie field. */
  private static java.net.http.HttpHeaders onTheWire(BufferedClientRequest request) {
    String cookies =
        request.getCookies().values().stream()
            .flatMap(List::stream)
            .map(HttpCookie::toString)
            .collect(Collectors.joining("; "));
    return SpringHeaders.toJdk(request.getHeaders(), "Cookie", cookies.isEmpty() ? null : cookies);
  }

  /** The transport: one attempt, an exchange of the wrapped connector, its body read whole. */
  private CompletableFuture<Reply> send(HttpCall call) {
    BufferedClientRequest buffered = (BufferedClientRequest) call.nativeRequest();
    long requestTime = support.clock().millis();
    return delegate
        .connect(
            buffered.getMethod(),
            buffered.getURI(),
            request -> {
              SpringHeaders.copyInto(
                  buffered.getHeaders(), call.extraHeaders(), request.getHeaders());
              buffered.getCookies().forEach(request.getCookies()::addAll);
              request.getAttributes().putAll(buffered.getAttributes());
              byte[] body = buffered.body();
              return body == null
                  ? request.setComplete()
                  : request.writeWith(Mono.fromSupplier(() -> request.bufferFactory().wrap(body)));
            })
        .flatMap(
            response ->
                ReactiveReplies.read(
                    call,
                    response.getStatusCode().value(),
                    response.getHeaders(),
                    response.getBody(),
                    support,
                    requestTime))
        .toFuture();
  }
}
