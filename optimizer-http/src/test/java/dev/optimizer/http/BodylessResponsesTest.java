package dev.optimizer.http;

import static dev.optimizer.http.MockHttpServer.Response.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.http.netty.NettyHttpClient;
import dev.optimizer.http.spring.HttpOptimizerConnector;
import dev.optimizer.http.spring.HttpOptimizerExchangeFilter;
import dev.optimizer.http.spring.HttpOptimizerInterceptor;
import dev.optimizer.http.spring.HttpOptimizerRequestFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Responses that never have a body — to HEAD, and 1xx, 204 and 304 — whatever their Content-Length
 * says (RFC 9110 §8.6, RFC 9112 §6.3): a length over {@code maxResponseBodyBytes} is no reason to
 * refuse them, on any transport or adapter.
 */
class BodylessResponsesTest extends HttpFixture {
  private static final int MAX = 1024;
  private static final String LARGE = String.valueOf(50 * MAX);
  private MockHttpServer h2;

  @AfterEach
  void stopHttp2Server() {
    if (h2 != null) {
      h2.close();
    }
  }

  /** One request through the named client, answered with its status and body length. */
  private String send(String client, String method, URI uri) throws Exception {
    HttpOptimizer http =
        nothingRepeated(realOptimizer()).cache(false).maxResponseBodyBytes(MAX).build();
    return switch (client) {
      case "jdk" -> jdk(http.wrap(raw), method, uri);
      case "netty" -> jdk(NettyHttpClient.builder(http).build(), method, uri);
      case "netty-h2" ->
          jdk(
              NettyHttpClient.builder(http).version(HttpClient.Version.HTTP_2).build(),
              method,
              uri);
      case "rest-factory" ->
          rest(
              RestClient.builder()
                  .requestFactory(
                      HttpOptimizerRequestFactory.wrap(http, new JdkClientHttpRequestFactory(raw)))
                  .build(),
              method,
              uri);
      case "rest-interceptor" ->
          rest(
              RestClient.builder()
                  .requestFactory(new JdkClientHttpRequestFactory(raw))
                  .requestInterceptor(HttpOptimizerInterceptor.of(http))
                  .build(),
              method,
              uri);
      case "web-connector" ->
          web(
              WebClient.builder()
                  .clientConnector(
                      HttpOptimizerConnector.wrap(http, new JdkClientHttpConnector(raw)))
                  .build(),
              method,
              uri);
      case "web-filter" ->
          web(
              WebClient.builder()
                  .clientConnector(new JdkClientHttpConnector(raw))
                  .filter(HttpOptimizerExchangeFilter.of(http))
                  .build(),
              method,
              uri);
      default -> throw new IllegalArgumentException(client);
    };
  }

  private static String jdk(HttpClient client, String method, URI uri) throws Exception {
    HttpResponse<byte[]> r =
        client.send(
            HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    return r.statusCode() + " " + r.body().length;
  }

  private static String rest(RestClient client, String method, URI uri) {
    return client
        .method(HttpMethod.valueOf(method))
        .uri(uri)
        .exchange(
            (request, response) ->
                response.getStatusCode().value() + " " + response.getBody().readAllBytes().length);
  }

  private static String web(WebClient client, String method, URI uri) {
    return client
        .method(HttpMethod.valueOf(method))
        .uri(uri)
        .exchangeToMono(
            r ->
                r.bodyToMono(byte[].class)
                    .map(b -> b.length)
                    .defaultIfEmpty(0)
                    .map(n -> r.statusCode().value() + " " + n))
        .block();
  }

  private URI scripted(String client, String path) throws Exception {
    MockHttpServer target = server;
    if (client.equals("netty-h2")) {
      h2 = MockHttpServer.http2(null, 100);
      target = h2;
    }
    target.dispatcher(
        r ->
            switch (r.path()) {
              case "/head" -> status(200).header("Content-Length", LARGE);
              case "/not-modified" -> status(304).header("Content-Length", LARGE);
              default -> status(204).header("Content-Length", LARGE);
            });
    return target.url(path);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "jdk",
        "netty",
        "netty-h2",
        "rest-factory",
        "rest-interceptor",
        "web-connector",
        "web-filter"
      })
  void aHeadResponseDeclaringALargeBodyIsNotTooLarge(String client) throws Exception {
    assertThat(send(client, "HEAD", scripted(client, "/head"))).isEqualTo("200 0");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "netty",
        "netty-h2",
        "rest-factory",
        "rest-interceptor",
        "web-connector",
        "web-filter"
      })
  void notModifiedAndNoContentDeclaringALargeBodyAreNotTooLarge(String client) throws Exception {
    assertThat(send(client, "GET", scripted(client, "/not-modified"))).isEqualTo("304 0");
    assertThat(send(client, "GET", scripted(client, "/no-content"))).isEqualTo("204 0");
  }
}
