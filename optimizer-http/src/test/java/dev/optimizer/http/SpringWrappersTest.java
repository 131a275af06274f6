package dev.optimizer.http;

import static dev.optimizer.http.MockHttpServer.Response.ok;
import static dev.optimizer.http.MockHttpServer.Response.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.optimizer.api.Mode;
import dev.optimizer.http.spring.HttpOptimizerConnector;
import dev.optimizer.http.spring.HttpOptimizerRequestFactory;
import dev.optimizer.runtime.Optimizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.client.HttpServerErrorException;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The Spring wrappers — the request factory under RestClient / RestTemplate and the connector under
 * WebClient — put the pipeline at the end of Spring's chain, against a real server on loopback:
 * every interceptor or filter runs once per call, and attempts resend the buffered request.
 */
class SpringWrappersTest extends HttpFixture {
  private final AtomicInteger interceptorRuns = new AtomicInteger();

  private RestClient restClient(HttpOptimizer http) {
    return RestClient.builder()
        .requestFactory(
            HttpOptimizerRequestFactory.wrap(http, new JdkClientHttpRequestFactory(raw)))
        .requestInterceptor(
            (request, body, execution) -> {
              interceptorRuns.incrementAndGet();
              request.getHeaders().set("X-Intercepted", "yes");
              return execution.execute(request, body);
            })
        .build();
  }

  private WebClient webClient(HttpOptimizer http) {
    return WebClient.builder()
        .clientConnector(HttpOptimizerConnector.wrap(http, new JdkClientHttpConnector(raw)))
        .filter(
            ExchangeFilterFunction.ofRequestProcessor(
                r -> {
                  interceptorRuns.incrementAndGet();
                  return Mono.just(r);
                }))
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
    assertThat(server.drain().get(2).header("If-None-Match")).isEqualTo("\"1\"");
    assertThat(http.stats().notModified()).isEqualTo(1);
  }

  @Test
  void restClientRetriesResendTheBodyAndRunInterceptorsOnce() throws Exception {
    HttpOptimizer http = cacheAndRetry(realOptimizer()).build();
    server.enqueue(status(503).header("Retry-After", "0"));
    server.enqueue(ok("second"));

    String answer =
        restClient(http)
            .put()
            .uri(server.url("/r"))
            .contentType(MediaType.TEXT_PLAIN)
            .header("X-Trace", "t1")
            .body("payload")
            .retrieve()
            .body(String.class);

    assertThat(answer).isEqualTo("second");
    for (int i = 0; i < 2; i++) {
      MockHttpServer.Recorded r = server.takeRequest();
      assertThat(r.method()).isEqualTo("PUT");
      assertThat(r.body()).isEqualTo("payload");
      assertThat(r.header("X-Trace")).isEqualTo("t1");
      // Each attempt is the request as the whole chain ended it (on Spring 6.2 too, where a
      // retry through an interceptor would skip the interceptors after it).
      assertThat(r.header("X-Intercepted")).isEqualTo("yes");
    }
    assertThat(interceptorRuns).hasValue(1);
    assertThat(http.stats().retries()).isEqualTo(1);
  }

  @Test
  void restClientPostsAreNotRetriedAndErrorsAreSpringsOwn() {
    HttpOptimizer http = cacheAndRetry(realOptimizer()).build();
    server.enqueue(status(503));
    server.enqueue(ok("not reached"));

    assertThatThrownBy(
            () ->
                restClient(http)
                    .post()
                    .uri(server.url("/pay"))
                    .body("{}")
                    .retrieve()
                    .body(String.class))
        .isInstanceOf(HttpServerErrorException.ServiceUnavailable.class);
    assertThat(server.requestCount()).isEqualTo(1);
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
  void inModeOffBothArePassThroughs() {
    Optimizer off = realOptimizer();
    off.setMode(Mode.OFF);
    HttpOptimizer http = cacheAndRetry(off).build();
    server.dispatcher(r -> ok("x").header("Cache-Control", "max-age=600"));

    for (int i = 0; i < 2; i++) {
      assertThat(restClient(http).get().uri(server.url("/off")).retrieve().body(String.class))
          .isEqualTo("x");
      assertThat(
              webClient(http)
                  .post()
                  .uri(server.url("/off"))
                  .bodyValue("b")
                  .retrieve()
                  .bodyToMono(String.class)
                  .block())
          .isEqualTo("x");
    }
    assertThat(server.requestCount()).isEqualTo(4);
    assertThat(server.drain().get(1).body()).isEqualTo("b");
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
    var second =
        client
            .get()
            .uri(server.url("/w"))
            .exchangeToMono(
                r -> {
                  assertThat(r.cookies().getFirst("s").getValue()).isEqualTo("abc");
                  return r.toEntity(String.class);
                })
            .block();
    assertThat(first.getBody()).isEqualTo("{\"n\":1}");
    assertThat(second.getBody()).isEqualTo("{\"n\":1}");
    assertThat(second.getHeaders().getFirst("Set-Cookie")).isEqualTo("s=abc; Path=/");
    assertThat(server.requestCount()).isEqualTo(1);
    assertThat(http.stats().cacheHits()).isEqualTo(1);
  }

  @Test
  void webClientRetriesSendABodyReadableOnceAgainAndRevalidate() throws Exception {
    HttpOptimizer http = cacheAndRetry(realOptimizer()).build();
    WebClient client = webClient(http);
    server.enqueue(status(503).header("Retry-After", "0"));
    server.enqueue(ok("stored"));
    // A body that can be read once: a second subscription fails.
    Sinks.Many<DataBuffer> once = Sinks.many().unicast().onBackpressureBuffer();
    once.tryEmitNext(
        DefaultDataBufferFactory.sharedInstance.wrap("payload".getBytes(StandardCharsets.UTF_8)));
    once.tryEmitComplete();

    String answer =
        client
            .put()
            .uri(server.url("/p"))
            .cookie("session", "s1")
            .body(BodyInserters.fromDataBuffers(once.asFlux()))
            .retrieve()
            .bodyToMono(String.class)
            .block();

    assertThat(answer).isEqualTo("stored");
    for (int i = 0; i < 2; i++) {
      MockHttpServer.Recorded r = server.takeRequest();
      assertThat(r.body()).isEqualTo("payload");
      assertThat(r.header("Cookie")).isEqualTo("session=s1");
    }
    assertThat(interceptorRuns).hasValue(1);

    server.enqueue(ok("v1").header("Cache-Control", "no-cache").header("ETag", "\"1\""));
    server.enqueue(status(304).header("ETag", "\"1\""));
    for (int i = 0; i < 2; i++) {
      assertThat(client.get().uri(server.url("/e")).retrieve().bodyToMono(String.class).block())
          .isEqualTo("v1");
    }
    assertThat(http.stats().notModified()).isEqualTo(1);
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
  void cancellingAWebClientCallCancelsTheExchange() {
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

  @Test
  void wrappingAWrapperIsRefused() {
    HttpOptimizer http = cacheAndRetry(realOptimizer()).build();
    var factory = HttpOptimizerRequestFactory.wrap(http, new JdkClientHttpRequestFactory(raw));
    var connector = HttpOptimizerConnector.wrap(http, new JdkClientHttpConnector(raw));

    assertThatThrownBy(() -> HttpOptimizerRequestFactory.wrap(http, factory))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("HttpOptimizerRequestFactory already");
    assertThatThrownBy(() -> HttpOptimizerConnector.wrap(http, connector))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("HttpOptimizerConnector already");
    assertThat(factory.delegate()).isInstanceOf(JdkClientHttpRequestFactory.class);
    assertThat(connector.delegate()).isInstanceOf(JdkClientHttpConnector.class);
  }
}
