package dev.optimizer.http;

import static dev.optimizer.http.MockHttpServer.Response.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.optimizer.http.spring.HttpOptimizerConnector;
import dev.optimizer.http.spring.HttpOptimizerExchangeFilter;
import dev.optimizer.http.spring.HttpOptimizerInterceptor;
import dev.optimizer.http.spring.HttpOptimizerRequestFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * A wrapper never turns a working call into a failing one: a stream that never ends (server-sent
 * events, NDJSON) reaches the application as it arrives, and a body over {@code
 * maxResponseBodyBytes} reaches it whole, through every Spring adapter, against a real server on
 * loopback.
 */
class SpringStreamingTest extends HttpFixture {
  private static final Duration PROMPTLY = Duration.ofSeconds(5);

  private HttpOptimizer http() {
    return HttpOptimizer.builder(realOptimizer()).maxResponseBodyBytes(1024).build();
  }

  private void enqueueEndlessEvents() {
    server.enqueue(ok("data: a\n\n").header("Content-Type", "text/event-stream").chunked(false));
  }

  private WebClient filtered(HttpOptimizer http) {
    return WebClient.builder()
        .clientConnector(new JdkClientHttpConnector(raw))
        .filter(HttpOptimizerExchangeFilter.of(http))
        .build();
  }

  private WebClient connected(HttpOptimizer http) {
    return WebClient.builder()
        .clientConnector(HttpOptimizerConnector.wrap(http, new JdkClientHttpConnector(raw)))
        .build();
  }

  private RestClient intercepted(HttpOptimizer http) {
    return RestClient.builder()
        .requestFactory(new JdkClientHttpRequestFactory(raw))
        .requestInterceptor(HttpOptimizerInterceptor.of(http))
        .build();
  }

  private RestClient factory(HttpOptimizer http) {
    return RestClient.builder()
        .requestFactory(
            HttpOptimizerRequestFactory.wrap(http, new JdkClientHttpRequestFactory(raw)))
        .build();
  }

  @Test
  void webClientFilterHandsOnAnEventStreamAsItArrives() {
    enqueueEndlessEvents();
    WebClient client = filtered(http());
    String first =
        client
            .get()
            .uri(server.url("/events"))
            .retrieve()
            .bodyToFlux(String.class)
            .blockFirst(PROMPTLY);
    assertThat(first).isEqualTo("a");
  }

  @Test
  void webClientConnectorHandsOnAnEventStreamAsItArrives() {
    enqueueEndlessEvents();
    WebClient client = connected(http());
    String first =
        client
            .get()
            .uri(server.url("/events"))
            .retrieve()
            .bodyToFlux(String.class)
            .blockFirst(PROMPTLY);
    assertThat(first).isEqualTo("a");
  }

  @Test
  void restClientInterceptorHandsOnAnEventStreamAsItArrives() {
    enqueueEndlessEvents();
    assertThat(firstLine(intercepted(http()))).isEqualTo("data: a");
  }

  @Test
  void restClientRequestFactoryHandsOnAnEventStreamAsItArrives() {
    enqueueEndlessEvents();
    assertThat(firstLine(factory(http()))).isEqualTo("data: a");
  }

  private String firstLine(RestClient client) {
    return assertTimeoutPreemptively(
        PROMPTLY,
        () ->
            client
                .get()
                .uri(server.url("/events"))
                .exchange(
                    (request, response) ->
                        new BufferedReader(
                                new InputStreamReader(response.getBody(), StandardCharsets.UTF_8))
                            .readLine(),
                    // Not closed: Spring's JDK response drains the body on close, which an
                    // endless stream never lets end; the server's close ends the exchange.
                    false));
  }

  @Test
  void bodiesOverTheLimitReachEveryAdapterWhole() {
    HttpOptimizer http = http();
    String big = "x".repeat(10_000);
    for (boolean declared : new boolean[] {true, false}) {
      server.dispatcher(r -> declared ? ok(big) : ok(big).chunked(true));
      assertThat(
              filtered(http)
                  .get()
                  .uri(server.url("/big"))
                  .retrieve()
                  .bodyToMono(String.class)
                  .block(PROMPTLY))
          .as("filter, declared length %s", declared)
          .isEqualTo(big);
      assertThat(
              connected(http)
                  .get()
                  .uri(server.url("/big"))
                  .retrieve()
                  .bodyToMono(String.class)
                  .block(PROMPTLY))
          .as("connector, declared length %s", declared)
          .isEqualTo(big);
      assertThat(intercepted(http).get().uri(server.url("/big")).retrieve().body(String.class))
          .as("interceptor, declared length %s", declared)
          .isEqualTo(big);
      assertThat(factory(http).get().uri(server.url("/big")).retrieve().body(String.class))
          .as("request factory, declared length %s", declared)
          .isEqualTo(big);
    }
  }
}
