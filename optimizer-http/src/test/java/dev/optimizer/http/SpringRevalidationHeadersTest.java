package dev.optimizer.http;

import static dev.optimizer.http.MockHttpServer.Response.ok;
import static dev.optimizer.http.MockHttpServer.Response.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.http.spring.HttpOptimizerConnector;
import dev.optimizer.http.spring.HttpOptimizerExchangeFilter;
import dev.optimizer.http.spring.HttpOptimizerInterceptor;
import dev.optimizer.http.spring.HttpOptimizerRequestFactory;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.http.client.reactive.JdkClientHttpConnector;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * What the origin receives when a Spring adapter revalidates a stored response: exactly the header
 * fields of the request as the client's chain ended it (multi-valued fields whole and in order,
 * cookies included), plus the conditions the stored validators give, If-None-Match and
 * If-Modified-Since — nothing lost, nothing doubled.
 */
class SpringRevalidationHeadersTest extends HttpFixture {
  private static final String LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT";

  /** Each Spring adapter, as a GET with the test's header fields and a cookie. */
  enum Adapter {
    REQUEST_FACTORY {
      @Override
      String get(HttpOptimizer http, SpringRevalidationHeadersTest t, URI uri) {
        RestClient client =
            RestClient.builder()
                .requestFactory(
                    HttpOptimizerRequestFactory.wrap(http, new JdkClientHttpRequestFactory(t.raw)))
                .build();
        return client
            .get()
            .uri(uri)
            .headers(h -> h.addAll("X-Multi", List.of("a", "b", "c")))
            .header("X-Single", "one")
            .header("Cookie", "session=s1")
            .retrieve()
            .body(String.class);
      }
    },
    INTERCEPTOR {
      @Override
      String get(HttpOptimizer http, SpringRevalidationHeadersTest t, URI uri) {
        RestClient client =
            RestClient.builder()
                .requestFactory(new JdkClientHttpRequestFactory(t.raw))
                .requestInterceptor(HttpOptimizerInterceptor.of(http))
                .build();
        return client
            .get()
            .uri(uri)
            .headers(h -> h.addAll("X-Multi", List.of("a", "b", "c")))
            .header("X-Single", "one")
            .header("Cookie", "session=s1")
            .retrieve()
            .body(String.class);
      }
    },
    CONNECTOR {
      @Override
      String get(HttpOptimizer http, SpringRevalidationHeadersTest t, URI uri) {
        return webGet(
            WebClient.builder()
                .clientConnector(
                    HttpOptimizerConnector.wrap(http, new JdkClientHttpConnector(t.raw)))
                .build(),
            uri);
      }
    },
    EXCHANGE_FILTER {
      @Override
      String get(HttpOptimizer http, SpringRevalidationHeadersTest t, URI uri) {
        return webGet(
            WebClient.builder()
                .clientConnector(new JdkClientHttpConnector(t.raw))
                .filter(HttpOptimizerExchangeFilter.of(http))
                .build(),
            uri);
      }
    };

    abstract String get(HttpOptimizer http, SpringRevalidationHeadersTest t, URI uri);

    private static String webGet(WebClient client, URI uri) {
      return client
          .get()
          .uri(uri)
          .headers(h -> h.addAll("X-Multi", List.of("a", "b", "c")))
          .header("X-Single", "one")
          .cookie("session", "s1")
          .retrieve()
          .bodyToMono(String.class)
          .block();
    }
  }

  @ParameterizedTest
  @EnumSource(Adapter.class)
  void aRevalidationSendsTheRequestsFieldsOnceAndTheConditions(Adapter adapter) throws Exception {
    HttpOptimizer http = nothingRepeated(realOptimizer()).cache(true).build();
    server.enqueue(
        ok("v1")
            .header("Cache-Control", "no-cache")
            .header("ETag", "\"1\"")
            .header("Last-Modified", LAST_MODIFIED));
    server.enqueue(status(304).header("ETag", "\"1\""));

    assertThat(adapter.get(http, this, server.url("/v"))).isEqualTo("v1");
    assertThat(adapter.get(http, this, server.url("/v"))).isEqualTo("v1");

    MockHttpServer.Recorded first = server.takeRequest();
    MockHttpServer.Recorded revalidation = server.takeRequest();
    assertThat(first.header("X-Multi")).isEqualTo("a, b, c");
    assertThat(first.header("X-Single")).isEqualTo("one");
    assertThat(first.header("Cookie")).isEqualTo("session=s1");
    assertThat(first.header("If-None-Match")).isNull();
    Map<String, String> expected = new LinkedHashMap<>(first.headers());
    expected.put("if-none-match", "\"1\"");
    expected.put("if-modified-since", LAST_MODIFIED);
    assertThat(revalidation.headers()).containsExactlyInAnyOrderEntriesOf(expected);
    assertThat(http.stats().notModified()).isEqualTo(1);
  }
}
