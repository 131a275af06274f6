package dev.optimizer.http.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The one-pass test for conditional and range requests against a lookup of each field name. */
class ConditionalRequestTest {
  private static final List<String> NAMES =
      List.of(
          "range",
          "if-none-match",
          "if-modified-since",
          "if-match",
          "if-unmodified-since",
          "if-range",
          "if-",
          "if-nothing",
          "ranges",
          "accept",
          "authorization",
          "x-if-match",
          "cache-control");

  @Property
  void agreesWithALookupOfEachConditionalField(@ForAll("headers") HttpHeaders headers) {
    boolean byLookup =
        headers.firstValue("range").isPresent()
            || headers.firstValue("if-none-match").isPresent()
            || headers.firstValue("if-modified-since").isPresent()
            || headers.firstValue("if-match").isPresent()
            || headers.firstValue("if-unmodified-since").isPresent()
            || headers.firstValue("if-range").isPresent();
    assertThat(CacheStep.isConditionalOrRange(headers)).isEqualTo(byLookup);
  }

  @Example
  void fieldNamesMatchInAnyCase() {
    assertThat(CacheStep.isConditionalOrRange(headers(Map.of("If-None-Match", List.of("\"a\"")))))
        .isTrue();
    assertThat(CacheStep.isConditionalOrRange(headers(Map.of("RANGE", List.of("bytes=0-1")))))
        .isTrue();
    assertThat(CacheStep.isConditionalOrRange(headers(Map.of("If-Nothing", List.of("x")))))
        .isFalse();
    assertThat(CacheStep.isConditionalOrRange(headers(Map.of()))).isFalse();
  }

  @Provide
  Arbitrary<HttpHeaders> headers() {
    Arbitrary<String> name =
        Arbitraries.of(NAMES)
            .flatMap(
                n ->
                    Arbitraries.of(
                        n,
                        n.toUpperCase(Locale.ROOT),
                        n.substring(0, 1).toUpperCase(Locale.ROOT) + n.substring(1)));
    Arbitrary<List<String>> values =
        Arbitraries.of("x", "\"etag\"", "bytes=0-9").list().ofMaxSize(2);
    return Arbitraries.maps(name, values)
        .ofMaxSize(5)
        .map(
            m -> {
              Map<String, List<String>> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
              m.forEach(byName::putIfAbsent);
              return headers(byName);
            });
  }

  private static HttpHeaders headers(Map<String, List<String>> map) {
    return HttpHeaders.of(map, (n, v) -> true);
  }
}
