package dev.optimizer.http;

import dev.optimizer.runtime.Optimizer;
import dev.optimizer.testing.ManualTime;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A loopback server, an optimizer on manual time, and helpers to make requests. */
abstract class HttpFixture {
  protected final ManualTime time = ManualTime.create();
  protected MockHttpServer server;
  protected Optimizer optimizer;
  protected HttpClient raw;

  @BeforeEach
  void startServer() throws Exception {
    server = new MockHttpServer();
    raw = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterEach
  void stopServer() {
    if (optimizer != null) {
      optimizer.close();
    }
    server.close();
  }

  /** An optimizer on manual time (clock and ticker), tuning run by hand. */
  protected Optimizer manualOptimizer() {
    optimizer =
        Optimizer.builder().clock(time.clock()).ticker(time.ticker()).manualTuning().build();
    return optimizer;
  }

  /** An optimizer on real time. */
  protected Optimizer realOptimizer() {
    optimizer = Optimizer.builder().manualTuning().build();
    return optimizer;
  }

  /**
   * A builder with every step that could repeat, hold back or fail a request off: coalescing,
   * hedging, retries, the adaptive limit and the circuit breaker. The cache is left as it defaults.
   */
  protected static HttpOptimizerBuilder nothingRepeated(Optimizer optimizer) {
    return HttpOptimizer.builder(optimizer)
        .coalescing(false)
        .hedging(false)
        .maxAttempts(1)
        .adaptiveLimit(false)
        .circuitBreaker(false);
  }

  /** Only the cache and retries on: up to three attempts, 1 ms apart. */
  protected static HttpOptimizerBuilder cacheAndRetry(Optimizer optimizer) {
    return HttpOptimizer.builder(optimizer)
        .coalescing(false)
        .hedging(false)
        .adaptiveLimit(false)
        .circuitBreaker(false)
        .maxAttempts(3)
        .retryBaseDelay(Duration.ofMillis(1));
  }

  /** A wrapped client with only the cache on (manual time), as configured. */
  protected HttpClient cacheOnly(UnaryOperator<HttpOptimizerBuilder> settings) {
    return settings.apply(nothingRepeated(manualOptimizer())).build().wrap(raw);
  }

  protected static HttpResponse<String> get(HttpClient client, URI uri, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET();
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  protected static HttpResponse<String> post(
      HttpClient client, URI uri, String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
