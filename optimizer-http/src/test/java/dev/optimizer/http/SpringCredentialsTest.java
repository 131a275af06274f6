package dev.optimizer.http;

import static dev.optimizer.http.MockHttpServer.Response.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.http.spring.HttpOptimizerConnector;
import dev.optimizer.http.spring.HttpOptimizerRequestFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * Credentials that the application's own interceptor or filter adds — after the optimizer's step
 * was registered, as with a builder the optimizer customized when it was created — still tell users
 * apart: alice and bob are never coalesced or cached as one anonymous caller.
 */
class SpringCredentialsTest extends HttpFixture {

  /** Answers with the bearer token it was sent, once two requests are in (or after 2 s). */
  private CountDownLatch echoTokens(String cacheControl) {
    CountDownLatch arrived = new CountDownLatch(2);
    CompletableFuture<Void> both = new CompletableFuture<>();
    server.dispatcher(
        r -> {
          arrived.countDown();
          if (arrived.getCount() == 0) {
            both.complete(null);
          }
          String auth = String.valueOf(r.header("Authorization"));
          MockHttpServer.Response response =
              ok(auth.replace("Bearer ", "")).header("Cache-Control", cacheControl);
          // Coalesced wrongly, the second never arrives: the first answers after 2 s anyway.
          return cacheControl.startsWith("private")
              ? response
              : response.gate(both.completeOnTimeout(null, 2, TimeUnit.SECONDS));
        });
    return arrived;
  }

  private HttpOptimizer optimizer() {
    return HttpOptimizer.builder(realOptimizer())
        .hedging(false)
        .maxAttempts(1)
        .adaptiveLimit(false)
        .circuitBreaker(false)
        .build();
  }

  /** A RestClient the optimizer customized, then the application's bearer-token interceptor. */
  private RestClient restClient(HttpOptimizer http) {
    return RestClient.builder()
        .requestFactory(
            HttpOptimizerRequestFactory.wrap(http, new JdkClientHttpRequestFactory(raw)))
        .requestInterceptor(
            (request, body, execution) -> {
              request.getHeaders().setBearerAuth((String) request.getAttributes().get("user"));
              return execution.execute(request, body);
            })
        .build();
  }

  /** A WebClient the optimizer customized, then the application's bearer-token filter. */
  private WebClient webClient(HttpOptimizer http) {
    return WebClient.builder()
        .clientConnector(HttpOptimizerConnector.wrap(http, new JdkClientHttpConnector(raw)))
        .filter(
            ExchangeFilterFunction.ofRequestProcessor(
                r ->
                    Mono.just(
                        ClientRequest.from(r)
                            .headers(h -> h.setBearerAuth((String) r.attribute("user").get()))
                            .build())))
        .build();
  }

  private static Function<String, String> rest(RestClient client, java.net.URI uri) {
    return user -> client.get().uri(uri).attribute("user", user).retrieve().body(String.class);
  }

  private static Function<String, String> web(WebClient client, java.net.URI uri) {
    return user ->
        client.get().uri(uri).attribute("user", user).retrieve().bodyToMono(String.class).block();
  }

  /** Alice's request reaches the server, then Bob asks while it is still in flight. */
  private void concurrentUsersGetTheirOwn(Function<String, String> get, CountDownLatch arrived)
      throws Exception {
    // Alice waits on a thread of her own, not the common pool's: on a 2-core machine its only
    // worker would be blocked, and JDK 25's HttpClient needs it for Bob's exchange (the plain
    // client hangs there just the same).
    CompletableFuture<String> alice = new CompletableFuture<>();
    Thread aliceThread =
        new Thread(
            () -> {
              try {
                alice.complete(get.apply("alice"));
              } catch (RuntimeException e) {
                alice.completeExceptionally(e);
              }
            },
            "alice");
    aliceThread.setDaemon(true);
    aliceThread.start();
    Await.until(() -> arrived.getCount() == 1, "alice's request at the server");
    String bob = get.apply("bob");
    assertThat(alice.get(10, TimeUnit.SECONDS)).isEqualTo("alice");
    assertThat(bob).isEqualTo("bob");
    assertThat(server.requestCount()).isEqualTo(2);
  }

  private void sequentialUsersGetTheirOwn(Function<String, String> get) {
    assertThat(get.apply("alice")).isEqualTo("alice");
    assertThat(get.apply("bob")).isEqualTo("bob");
    assertThat(get.apply("alice")).isEqualTo("alice");
    assertThat(server.requestCount()).as("one per user, the repeat cached").isEqualTo(2);
  }

  @Test
  void restClientConcurrentUsersAreNotCoalesced() throws Exception {
    CountDownLatch arrived = echoTokens("no-store");
    concurrentUsersGetTheirOwn(rest(restClient(optimizer()), server.url("/me")), arrived);
  }

  @Test
  void restClientPrivateResponsesAreCachedPerUser() {
    echoTokens("private, max-age=60");
    sequentialUsersGetTheirOwn(rest(restClient(optimizer()), server.url("/me")));
  }

  @Test
  void webClientConcurrentUsersAreNotCoalesced() throws Exception {
    CountDownLatch arrived = echoTokens("no-store");
    concurrentUsersGetTheirOwn(web(webClient(optimizer()), server.url("/me")), arrived);
  }

  @Test
  void webClientPrivateResponsesAreCachedPerUser() {
    echoTokens("private, max-age=60");
    sequentialUsersGetTheirOwn(web(webClient(optimizer()), server.url("/me")));
  }
}
