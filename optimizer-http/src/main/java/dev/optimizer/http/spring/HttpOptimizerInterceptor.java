package dev.optimizer.http.spring;

import dev.optimizer.api.internal.Checks;
import dev.optimizer.http.HttpOptimizer;
import dev.optimizer.http.internal.AdapterSupport;
import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.Pipeline;
import dev.optimizer.http.internal.Reply;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.http.client.support.HttpRequestWrapper;

/**
 * Puts an {@link HttpOptimizer}'s pipeline (cache, coalescing, adaptive limit, retries, hedging,
 * circuit breaker) in front of a Spring {@code RestClient} or {@code RestTemplate}:
 *
 * <pre>{@code
 * RestClient client = RestClient.builder()
 *     .requestInterceptor(HttpOptimizerInterceptor.of(httpOptimizer))
 *     .build();
 * }</pre>
 *
 * <p><b>Prefer {@link HttpOptimizerRequestFactory}</b>, which runs after every interceptor. This
 * interceptor sees a request as it is when it runs: one registered after it (one setting {@code
 * Authorization: Bearer <user token>}, say) runs later, so the pipeline computes the identity,
 * coalescing key and cache key without its header fields, and different users are coalesced and
 * cached as one. Register it <b>last</b>, after every interceptor that adds credentials. A retry or
 * a hedge runs the rest of the chain again, so interceptors after this one run once per attempt,
 * those before it once per call; on Spring 6.2, whose chain is one shared iterator, a retry or a
 * hedge skips the interceptors after this one (Spring 7 runs them again). Every attempt is sent by
 * the client's own request factory (its connection pool, TLS and timeouts apply), on one of the
 * optimizer's I/O threads, so that a hedge can answer while a slow attempt still waits; the calling
 * thread waits for the winner. A losing attempt is cancelled by interrupting its thread, which
 * aborts the exchange with the JDK and Reactor Netty request factories; others finish it in the
 * background and discard the response. Bodies are buffered up to {@code maxResponseBodyBytes}; a
 * stream ({@code text/event-stream}, NDJSON and the like) and a larger body are handed on as they
 * arrive, never cached or shared.
 *
 * <p>In {@link dev.optimizer.api.Mode#OFF} requests pass straight to the next element of the chain.
 * After {@link HttpOptimizer#close()} a request fails with an {@code IOException} before anything
 * is sent (in {@code OFF}, it still passes straight through). Exceptions are the client's own
 * ({@link IOException}s from the request factory). Thread-safe; one instance may serve many
 * clients, which then share the optimizer's cache and limits.
 */
public final class HttpOptimizerInterceptor implements ClientHttpRequestInterceptor {
  private final AdapterSupport support;
  private final Pipeline pipeline;

  private HttpOptimizerInterceptor(HttpOptimizer http) {
    this.support = http.adapterSupport();
    this.pipeline = support.pipeline(this::send);
  }

  /**
   * An interceptor running requests through {@code http}'s pipeline.
   *
   * @throws IllegalStateException if {@code http} is closed
   */
  public static HttpOptimizerInterceptor of(HttpOptimizer http) {
    return new HttpOptimizerInterceptor(Checks.notNull("http", http));
  }

  @Override
  public ClientHttpResponse intercept(
      HttpRequest request, byte[] body, ClientHttpRequestExecution execution) throws IOException {
    if (!support.active()) {
      return execution.execute(request, body);
    }
    java.net.http.HttpHeaders headers = SpringHeaders.toJdk(request.getHeaders());
    HttpCall call =
        support.call(
            request.getMethod().name(),
            request.getURI(),
            headers,
            body.length > 0,
            new Exchange(request, body, execution));
    return BlockingAttempts.await(pipeline.execute(call));
  }

  /** The transport: one attempt, through the rest of Spring's chain, on an I/O thread. */
  private CompletableFuture<Reply> send(HttpCall call) {
    Exchange exchange = (Exchange) call.nativeRequest();
    HttpRequest request =
        call.extraHeaders().isEmpty()
            ? exchange.request()
            : new WithHeaders(
                exchange.request(),
                SpringHeaders.withExtra(exchange.request().getHeaders(), call.extraHeaders()));
    return BlockingAttempts.attempt(
        support, call, () -> exchange.execution().execute(request, exchange.body()));
  }

  /** What one attempt needs: Spring's request, its body, and the rest of the chain. */
  private record Exchange(HttpRequest request, byte[] body, ClientHttpRequestExecution execution) {}

  /** The request with the pipeline's extra header fields (a revalidation's conditions). */
  private static final class WithHeaders extends HttpRequestWrapper {
    private final HttpHeaders headers;

    WithHeaders(HttpRequest request, HttpHeaders headers) {
      super(request);
      this.headers = headers;
    }

    @Override
    public HttpHeaders getHeaders() {
      return headers;
    }
  }
}
