package dev.optimizer.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.http.HttpOptimizer;
import dev.optimizer.http.spring.HttpOptimizerExchangeFilter;
import dev.optimizer.http.spring.HttpOptimizerInterceptor;
import dev.optimizer.http.spring.HttpOptimizerRequestFactory;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Scope;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * RestClient.Builder and WebClient.Builder beans get the HTTP pipeline, JDK HttpClient beans are
 * wrapped, and real requests through them to a loopback server work (the second GET of a cacheable
 * response is answered by the cache).
 */
class HttpClientsTest {
  private final ApplicationContextRunner runner = Runners.runner();
  private LoopbackServer server;

  @BeforeEach
  void start() throws Exception {
    server = new LoopbackServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Configuration(proxyBeanMethods = false)
  static class Clients {
    // Prototype, like Spring Boot's own builder beans.
    @Bean
    @Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)
    RestClient.Builder restClientBuilder() {
      return RestClient.builder();
    }

    @Bean
    @Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)
    WebClient.Builder webClientBuilder() {
      return WebClient.builder().clientConnector(new JdkClientHttpConnector());
    }

    @Bean
    HttpClient httpClient() {
      return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }
  }

  private static List<ClientHttpRequestInterceptor> interceptors(RestClient.Builder b) {
    List<ClientHttpRequestInterceptor> seen = new ArrayList<>();
    b.requestInterceptors(seen::addAll);
    return seen;
  }

  private static List<ExchangeFilterFunction> filters(WebClient.Builder b) {
    List<ExchangeFilterFunction> seen = new ArrayList<>();
    b.filters(seen::addAll);
    return seen;
  }

  @Test
  void restClientBuildersGetTheInterceptorAndRequestsWork() {
    runner
        .withUserConfiguration(Clients.class)
        .run(
            ctx -> {
              RestClient.Builder builder = ctx.getBean(RestClient.Builder.class);
              assertThat(interceptors(builder))
                  .singleElement()
                  .isInstanceOf(HttpOptimizerInterceptor.class);
              RestClient client = builder.build();
              for (int i = 0; i < 2; i++) {
                String body =
                    client.get().uri(server.uri("/greeting")).retrieve().body(String.class);
                assertThat(body).isEqualTo("hello");
              }
              assertThat(server.requests).as("the second GET was a cache hit").hasValue(1);
              assertThat(ctx.getBean(HttpOptimizer.class).stats().cacheHits()).isEqualTo(1);
            });
  }

  @Test
  void webClientBuildersGetTheFilterAndRequestsWork() {
    runner
        .withUserConfiguration(Clients.class)
        .run(
            ctx -> {
              WebClient.Builder builder = ctx.getBean(WebClient.Builder.class);
              assertThat(filters(builder))
                  .singleElement()
                  .isInstanceOf(HttpOptimizerExchangeFilter.class);
              WebClient client = builder.build();
              for (int i = 0; i < 2; i++) {
                String body =
                    client
                        .get()
                        .uri(server.uri("/greeting"))
                        .retrieve()
                        .bodyToMono(String.class)
                        .block(Duration.ofSeconds(10));
                assertThat(body).isEqualTo("hello");
              }
              assertThat(server.requests).as("the second GET was a cache hit").hasValue(1);
            });
  }

  @Test
  void credentialsAddedToTheInjectedBuilderLaterAreSeenByThePipeline() {
    runner
        .withUserConfiguration(Clients.class)
        .run(
            ctx -> {
              String[] user = {"alice"};
              RestClient rest =
                  ctx.getBean(RestClient.Builder.class)
                      .requestInterceptor(
                          (request, body, execution) -> {
                            request.getHeaders().setBearerAuth(user[0]);
                            return execution.execute(request, body);
                          })
                      .build();
              WebClient web =
                  ctx.getBean(WebClient.Builder.class)
                      .filter(
                          (request, next) ->
                              next.exchange(
                                  org.springframework.web.reactive.function.client.ClientRequest
                                      .from(request)
                                      .headers(h -> h.setBearerAuth(user[0]))
                                      .build()))
                      .build();
              for (String u : List.of("alice", "bob", "alice")) {
                user[0] = u;
                assertThat(rest.get().uri(server.uri("/me")).retrieve().body(String.class))
                    .isEqualTo("Bearer " + u);
                assertThat(
                        web.get()
                            .uri(server.uri("/me"))
                            .retrieve()
                            .bodyToMono(String.class)
                            .block(Duration.ofSeconds(10)))
                    .isEqualTo("Bearer " + u);
              }
            });
  }

  @Test
  void jdkHttpClientBeansAreWrapped() {
    runner
        .withUserConfiguration(Clients.class)
        .run(
            ctx -> {
              HttpClient client = ctx.getBean(HttpClient.class);
              assertThat(client.getClass().getName()).contains("OptimizedHttpClient");
              HttpRequest get = HttpRequest.newBuilder(server.uri("/greeting")).build();
              for (int i = 0; i < 2; i++) {
                HttpResponse<String> r = client.send(get, HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("hello");
              }
              assertThat(server.requests).as("the second GET was a cache hit").hasValue(1);
            });
  }

  /**
   * An injected builder given a transport that already runs the pipeline (the wrapped HttpClient
   * bean under Spring's JDK factory or connector, an HttpOptimizerRequestFactory) builds without
   * the interceptor or filter: each request goes through the pipeline once. Twice, a host limit of
   * one was held by the outer pass while the inner one waited for it, and the request was rejected.
   */
  @Test
  void aBuilderWhoseTransportRunsThePipelineDoesNotRunItTwice() {
    runner
        .withUserConfiguration(Clients.class)
        .withPropertyValues(
            "optimizer.http.limit.min=1",
            "optimizer.http.limit.max=1",
            "optimizer.http.limit.queue-timeout=200ms")
        .run(
            ctx -> {
              HttpClient jdk = ctx.getBean(HttpClient.class); // the wrapped bean
              HttpOptimizer http = ctx.getBean(HttpOptimizer.class);
              RestClient overJdk =
                  ctx.getBean(RestClient.Builder.class)
                      .requestFactory(new JdkClientHttpRequestFactory(jdk))
                      .build();
              assertThat(
                      overJdk.get().uri(server.uri("/greeting?rest")).retrieve().body(String.class))
                  .isEqualTo("hello");
              WebClient web =
                  ctx.getBean(WebClient.Builder.class)
                      .clientConnector(new JdkClientHttpConnector(jdk))
                      .build();
              assertThat(
                      web.get()
                          .uri(server.uri("/greeting?web"))
                          .retrieve()
                          .bodyToMono(String.class)
                          .block(Duration.ofSeconds(10)))
                  .isEqualTo("hello");
              RestClient overFactory =
                  ctx.getBean(RestClient.Builder.class)
                      .requestFactory(
                          HttpOptimizerRequestFactory.wrap(http, new JdkClientHttpRequestFactory()))
                      .build();
              assertThat(
                      overFactory
                          .get()
                          .uri(server.uri("/greeting?factory"))
                          .retrieve()
                          .body(String.class))
                  .isEqualTo("hello");
              assertThat(server.requests).hasValue(3);
              assertThat(http.stats().networkRequests())
                  .as("each request went through the pipeline once")
                  .isEqualTo(3);

              // A plain transport given afterwards brings the interceptor back.
              RestClient.Builder plainAgain =
                  ctx.getBean(RestClient.Builder.class)
                      .requestFactory(new JdkClientHttpRequestFactory(jdk))
                      .requestFactory(new JdkClientHttpRequestFactory());
              plainAgain.build();
              assertThat(interceptors(plainAgain))
                  .singleElement()
                  .isInstanceOf(HttpOptimizerInterceptor.class);
            });
  }

  @Test
  void excludedBeansAndDisabledHttpAreLeftAlone() {
    runner
        .withUserConfiguration(Clients.class)
        .withPropertyValues(
            "optimizer.http.excluded-beans=restClientBuilder,webClientBuilder,httpClient")
        .run(
            ctx -> {
              assertThat(interceptors(ctx.getBean(RestClient.Builder.class))).isEmpty();
              assertThat(filters(ctx.getBean(WebClient.Builder.class))).isEmpty();
              assertThat(ctx.getBean(HttpClient.class).getClass().getName())
                  .doesNotContain("Optimized");
            });
    runner
        .withUserConfiguration(Clients.class)
        .withPropertyValues("optimizer.enabled=false")
        .run(
            ctx -> {
              assertThat(interceptors(ctx.getBean(RestClient.Builder.class))).isEmpty();
              assertThat(filters(ctx.getBean(WebClient.Builder.class))).isEmpty();
              assertThat(ctx.getBean(HttpClient.class).getClass().getName())
                  .doesNotContain("Optimized");
            });
  }
}
