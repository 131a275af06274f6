package dev.optimizer.http;

import static dev.optimizer.http.MockHttpServer.Response.ok;
import static dev.optimizer.http.MockHttpServer.Response.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.optimizer.api.Mode;
import dev.optimizer.http.spring.HttpOptimizerExchangeFilter;
import dev.optimizer.http.spring.HttpOptimizerInterceptor;
import dev.optimizer.runtime.Optimizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The Spring adapters — the RestClient interceptor and the WebClient exchange filter — put the same
 * pipeline in front of Spring's own clients, against a real server on loopback.
 */
class SpringAdaptersTest extends HttpFixture {

  private RestClient restClient(HttpOptimizer http) {
    return RestClient.builder()
        .requestFactory(new JdkClientHttpRequestFactory(raw))
        .requestInterceptor(HttpOptimizerInterceptor.of(http))
        .build();
  }

  private WebClient webClient(HttpOptimizer http) {
    return WebClient.builder()
        .clientConnector(new JdkClientHttpConnector(raw))
        .filter(HttpOptimizerExchangeFilter.of(http))
        .build();
  }

  @Test
  void restClientResponsesAreCachedAndRevalidated() {
    HttpOptimizer http = cacheAndRetry(realOptimizer()).build();
    RestClient client = restClient(http);
    server.enqueue(ok("fresh").header("Cache-Control", "max-age=600"));

    assertThat(client.get().uri(server.url("/f")).retrieve().body(String.class)).isEqualTo("fresh");
    ResponseEntity<String> again =
        client.get().uri(server.url("/f")).retrieve().toEntity(String.class);
    assertThat(again.getBody()).isEqualTo("fresh");
    assertThat(again.getHeaders().getCacheControl()).isEqualTo("max-age=600");
    assertThat(server.requestCount()).isEqualTo(1);

    server.enqueue(ok("v1").header("Cache-Control", "no-cache").header("ETag", "\"1\""));
    server.enqueue(status(304).header("ETag", "\"1\""));
    assertThat(client.get().uri(server.url("/v")).retrieve().body(String.class)).isEqualTo("v1");
    assertThat(client.get().uri(server.url("/v")).retrieve().body(String.class)).isEqualTo("v1");
    server.drain();
    assertThat(http.stats().notModified()).isEqualTo(1);
  }

  @Test
  void restClientRetriesRunOnlyTheInterceptorsAfterIt() throws Exception {
    HttpOptimizer http = cacheAndRetry(realOptimizer()).cache(false).build();
    AtomicInteger before = new AtomicInteger();
    RestClient client =
        RestClient.builder()
            .requestFactory(new JdkClientHttpRequestFactory(raw))
            .requestInterceptor(
                (request, body, execution) -> {
                  before.incrementAndGet();
                  return execution.execute(request, body);
                })
            .requestInterceptor(HttpOptimizerInterceptor.of(http))
            .build();
    server.enqueue(status(503).header("Retry-After", "0"));
    server.enqueue(ok("second"));

    assertThat(client.get().uri(server.url("/r")).retrieve().body(String.class))
        .isEqualTo("second");
    assertThat(server.requestCount()).isEqualTo(2);
    assertThat(before).hasValue(1);
    assertThat(http.stats().retries()).isEqualTo(1);
  }

  @Test
  void restClientSlowAttemptsAreHedged() {
    HttpOptimizer http =
        HttpOptimizer.builder(realOptimizer())
            .cache(false)
            .coalescing(false)
            .maxAttempts(1)
            .adaptiveLimit(false)
            .circuitBreaker(false)
            .hedgeWarmupSamples(10)
            .hedgeMinDelay(Duration.ofMillis(20))
            .build();
    RestClient client = restClient(http);
    AtomicInteger n = new AtomicInteger();
    server.dispatcher(r -> ok("r").delay(n.incrementAndGet() == 21 ? 5_000 : 1));
    for (int i = 0; i < 20; i++) {
      client.get().uri(server.url("/h")).retrieve().body(String.class);
    }
    long start = System.nanoTime();
    assertThat(client.get().uri(server.url("/h")).retrieve().body(String.class)).isEqualTo("r");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    assertThat(http.stats().hedgesWon()).as("%s", http.stats()).isEqualTo(1);
  }

  @Test
  void restClientPostsAreNotRetriedAndErrorsAreSpringsOwn() {
    HttpOptimizer http = cacheAndRetry(realOptimizer()).build();
    RestClient client = restClient(http);
    server.enqueue(status(503));
    server.enqueue(ok("not reached"));

    assertThatThrownBy(
            () -> client.post().uri(server.url("/pay")).body("{}").retrieve().body(String.class))
        .isInstanceOf(HttpServerErrorException.ServiceUnavailable.class);
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void restClientBodiesOverTheCapReachTheCallerWholeAndUncached() {
    HttpOptimizer http = cacheAndRetry(realOptimizer()).maxResponseBodyBytes(1024).build();
    server.dispatcher(r -> ok("x".repeat(5000)).header("Cache-Control", "max-age=600"));

    for (int i = 0; i < 2; i++) {
      assertThat(restClient(http).get().uri(server.url("/big")).retrieve().body(String.class))
          .isEqualTo("x".repeat(5000));
    }
    assertThat(server.requestCount()).isEqualTo(2); // not buffered, so never stored
  }

  @Test
  void restClientInModeOffIsAPassThrough() {
    Optimizer off = realOptimizer();
    off.setMode(Mode.OFF);
    HttpOptimizer http = cacheAndRetry(off).build();
    server.dispatcher(r -> ok("x").header("Cache-Control", "max-age=600"));
    RestClient client = restClient(http);

    client.get().uri(server.url("/off")).retrieve().body(String.class);
    client.get().uri(server.url("/off")).retrieve().body(String.class);
    assertThat(server.requestCount()).isEqualTo(2);
    assertThat(http.stats().networkRequests()).isZero();
  }

  @Test
  void webClientResponsesAreCachedAndDecodedWithTheClientsCodecs() {
    HttpOptimizer http = cacheAndRetry(realOptimizer()).build();
    WebClient client = webClient(http);
    server.enqueue(
        ok("{\"n\":1}")
            .header("Cache-Control", "max-age=600")
            .header("Content-Type", "text/plain")
            .header("Set-Cookie", "s=abc; Path=/"));

    var first = client.get().uri(server.url("/w")).retrieve().toEntity(String.class).block();
    var second = client.get().uri(server.url("/w")).retrieve().toEntity(String.class).block();
    assertThat(first.getBody()).isEqualTo("{\"n\":1}");
    assertThat(second.getBody()).isEqualTo("{\"n\":1}");
    assertThat(second.getHeaders().getFirst("Set-Cookie")).isEqualTo("s=abc; Path=/");
    assertThat(server.requestCount()).isEqualTo(1);
    assertThat(http.stats().cacheHits()).isEqualTo(1);
  }

  @Test
  void webClientRetriesAndRevalidates() {
    HttpOptimizer http = cacheAndRetry(realOptimizer()).build();
    AtomicInteger after = new AtomicInteger();
    WebClient client =
        WebClient.builder()
            .clientConnector(new JdkClientHttpConnector(raw))
            .filter(HttpOptimizerExchangeFilter.of(http))
            .filter(
                ExchangeFilterFunction.ofRequestProcessor(
                    r -> {
                      after.incrementAndGet();
                      return Mono.just(r);
                    }))
            .build();
    server.enqueue(status(503).header("Retry-After", "0"));
    server.enqueue(ok("v1").header("Cache-Control", "no-cache").header("ETag", "\"1\""));
    server.enqueue(status(304).header("ETag", "\"1\""));

    assertThat(client.get().uri(server.url("/e")).retrieve().bodyToMono(String.class).block())
        .isEqualTo("v1");
    assertThat(after).as("filters after ours run once per attempt").hasValue(2);
    assertThat(client.get().uri(server.url("/e")).retrieve().bodyToMono(String.class).block())
        .isEqualTo("v1");
    assertThat(server.requestCount()).isEqualTo(3);
    assertThat(http.stats().retries()).isEqualTo(1);
    assertThat(http.stats().notModified()).isEqualTo(1);
  }

  @Test
  void webClientRequestsWithABodyAreNotRetriedThroughTheFilter() throws Exception {
    HttpOptimizer http = cacheAndRetry(realOptimizer()).build();
    server.enqueue(status(503).header("Retry-After", "0"));
    server.enqueue(ok("not reached"));
    // A body that can be read once: a second subscription fails.
    Sinks.Many<DataBuffer> once = Sinks.many().unicast().onBackpressureBuffer();
    once.tryEmitNext(
        DefaultDataBufferFactory.sharedInstance.wrap("payload".getBytes(StandardCharsets.UTF_8)));
    once.tryEmitComplete();

    assertThatThrownBy(
            () ->
                webClient(http)
                    .put()
                    .uri(server.url("/put"))
                    .body(BodyInserters.fromDataBuffers(once.asFlux()))
                    .retrieve()
                    .bodyToMono(String.class)
                    .block())
        .isInstanceOf(WebClientResponseException.ServiceUnavailable.class);
    assertThat(server.takeRequest().body()).isEqualTo("payload");
    assertThat(server.requestCount()).isEqualTo(1);
    assertThat(http.stats().retries()).isZero();
  }

  @Test
  void webClientBodiesOverTheCapReachTheCallerWholeAndUncached() {
    HttpOptimizer http = cacheAndRetry(realOptimizer()).maxResponseBodyBytes(1024).build();
    server.dispatcher(r -> ok("x".repeat(5000)).header("Cache-Control", "max-age=600"));

    for (int i = 0; i < 2; i++) {
      assertThat(
              webClient(http)
                  .get()
                  .uri(server.url("/big"))
                  .retrieve()
                  .bodyToMono(String.class)
                  .block(Duration.ofSeconds(5)))
          .isEqualTo("x".repeat(5000));
    }
    assertThat(server.requestCount()).isEqualTo(2); // not buffered, so never stored
  }

  @Test
  void afterCloseBothFailWithAnIoErrorBeforeAnythingIsSent() {
    HttpOptimizer http = cacheAndRetry(realOptimizer()).build();
    RestClient rest = restClient(http);
    WebClient web = webClient(http);
    http.close();
    server.dispatcher(r -> ok("not sent"));

    assertThatThrownBy(() -> rest.get().uri(server.url("/closed")).retrieve().body(String.class))
        .hasCauseInstanceOf(IOException.class)
        .hasMessageContaining("HttpOptimizer is closed");
    assertThatThrownBy(
            () -> web.get().uri(server.url("/closed")).retrieve().bodyToMono(String.class).block())
        .hasCauseInstanceOf(IOException.class)
        .hasMessageContaining("HttpOptimizer is closed");
    assertThat(server.requestCount()).isZero();

    optimizer.setMode(Mode.OFF); // as before close: straight through
    assertThat(rest.get().uri(server.url("/off")).retrieve().body(String.class))
        .isEqualTo("not sent");
    assertThat(web.get().uri(server.url("/off")).retrieve().bodyToMono(String.class).block())
        .isEqualTo("not sent");
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void cancellingAWebClientCallCancelsTheExchange() throws Exception {
    HttpOptimizer http = cacheAndRetry(realOptimizer()).cache(false).build();
    server.enqueue(ok("slow").delay(10_000));

    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                webClient(http)
                    .get()
                    .uri(server.url("/slow"))
                    .retrieve()
                    .bodyToMono(String.class)
                    .timeout(Duration.ofMillis(200))
                    .block())
        .hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(http.stats().retries()).isZero();
  }
}
