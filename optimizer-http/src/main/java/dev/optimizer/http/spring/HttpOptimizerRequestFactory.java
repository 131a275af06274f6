package dev.optimizer.http.spring;

import dev.optimizer.api.internal.Checks;
import dev.optimizer.http.HttpOptimizer;
import dev.optimizer.http.internal.AdapterSupport;
import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.Pipeline;
import dev.optimizer.http.internal.Reply;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.AbstractClientHttpRequest;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.ClientHttpResponse;

/**
 * Puts an {@link HttpOptimizer}'s pipeline (cache, coalescing, adaptive limit, retries, hedging,
 * circuit breaker) in front of a Spring {@code RestClient} or {@code RestTemplate}, by wrapping the
 * request factory that sends its requests:
 *
 * <pre>{@code
 * RestClient client = RestClient.builder()
 *     .requestFactory(HttpOptimizerRequestFactory.wrap(httpOptimizer, new JdkClientHttpRequestFactory()))
 *     .requestInterceptor(bearerTokenOfTheCurrentUser)   // any order: they all run first
 *     .build();
 * }</pre>
 *
 * <p>The request factory is the end of Spring's chain: every interceptor has run, in any order it
 * was registered, before the pipeline sees a request, so the identity (Authorization, Cookie...),
 * the coalescing key and the cache key are those of the request as it goes on the wire. Each
 * interceptor runs once per call; each attempt (a retry, a hedge) is a new request of the wrapped
 * factory (its connection pool, TLS and timeouts apply), sent on one of the optimizer's I/O
 * threads, so that a hedge can answer while a slow attempt still waits; the calling thread waits
 * for the winner. A losing attempt is cancelled by interrupting its thread, which aborts the
 * exchange with the JDK and Reactor Netty request factories; others finish it in the background and
 * discard the response. Request bodies are buffered (a retry sends them again), and response bodies
 * up to {@code maxResponseBodyBytes}; a stream ({@code text/event-stream}, NDJSON and the like) and
 * a larger body are handed on as they arrive, never cached or shared.
 *
 * <p>In {@link dev.optimizer.api.Mode#OFF} each request goes straight to the wrapped factory on the
 * calling thread, its response unbuffered. After {@link HttpOptimizer#close()} a request fails with
 * an {@code IOException} before anything is sent (in {@code OFF}, it still passes straight
 * through). Exceptions are the wrapped factory's own ({@link IOException}s). Thread-safe; one
 * instance may serve many clients, which then share the optimizer's cache and limits.
 */
public final class HttpOptimizerRequestFactory implements ClientHttpRequestFactory {
  private final AdapterSupport support;
  private final Pipeline pipeline;
  private final ClientHttpRequestFactory delegate;

  private HttpOptimizerRequestFactory(HttpOptimizer http, ClientHttpRequestFactory delegate) {
    this.support = http.adapterSupport();
    this.delegate = delegate;
    this.pipeline = support.pipeline(this::send);
  }

  /**
   * A factory running the requests of {@code delegate} through {@code http}'s pipeline.
   *
   * @throws IllegalArgumentException if {@code delegate} is itself such a factory (the pipeline
   *     would run twice)
   * @throws IllegalStateException if {@code http} is closed
   */
  public static HttpOptimizerRequestFactory wrap(
      HttpOptimizer http, ClientHttpRequestFactory delegate) {
    Checks.notNull("http", http);
    Checks.notNull("delegate", delegate);
    if (delegate instanceof HttpOptimizerRequestFactory) {
      throw new IllegalArgumentException(
          "delegate is an HttpOptimizerRequestFactory already; wrap the factory it wraps");
    }
    return new HttpOptimizerRequestFactory(http, delegate);
  }

  /** The factory that sends the requests. */
  public ClientHttpRequestFactory delegate() {
    return delegate;
  }

  @Override
  public ClientHttpRequest createRequest(URI uri, HttpMethod method) {
    return new OptimizedRequest(uri, method);
  }

  /** The transport: one attempt, a new request of the wrapped factory, on an I/O thread. */
  private CompletableFuture<Reply> send(HttpCall call) {
    Exchange exchange = (Exchange) call.nativeRequest();
    return BlockingAttempts.attempt(support, call, () -> sendDirect(exchange, call.extraHeaders()));
  }

  /**
   * Sends the request once through the wrapped factory, as Spring's end of chain does, with {@code
   * extra} (a revalidation's conditions) in place of the request's fields of those names.
   */
  private ClientHttpResponse sendDirect(Exchange exchange, Map<String, String> extra)
      throws IOException {
    ClientHttpRequest request = delegate.createRequest(exchange.uri(), exchange.method());
    SpringHeaders.copyInto(exchange.headers(), extra, request.getHeaders());
    if (!exchange.attributes().isEmpty()) {
      request.getAttributes().putAll(exchange.attributes());
    }
    if (exchange.body().length > 0) {
      try (OutputStream out = request.getBody()) {
        out.write(exchange.body());
      }
    }
    return request.execute();
  }

  /** What one attempt needs: the request as the chain ended it, and its body. */
  private record Exchange(
      URI uri,
      HttpMethod method,
      HttpHeaders headers,
      Map<String, Object> attributes,
      byte[] body) {}

  /** A request of this factory: written by Spring, sent through the pipeline when executed. */
  private final class OptimizedRequest extends AbstractClientHttpRequest {
    private final URI uri;
    private final HttpMethod method;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream(0);

    OptimizedRequest(URI uri, HttpMethod method) {
      this.uri = uri;
      this.method = method;
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
    protected OutputStream getBodyInternal(HttpHeaders headers) {
      return body;
    }

    @Override
    protected ClientHttpResponse executeInternal(HttpHeaders headers) throws IOException {
      byte[] bytes = body.toByteArray();
      Exchange exchange = new Exchange(uri, method, headers, new HashMap<>(getAttributes()), bytes);
      if (!support.active()) {
        return sendDirect(exchange, Map.of());
      }
      java.net.http.HttpHeaders jdk = SpringHeaders.toJdk(headers);
      HttpCall call = support.call(method.name(), uri, jdk, bytes.length > 0, exchange);
      return BlockingAttempts.await(pipeline.execute(call));
    }
  }
}
