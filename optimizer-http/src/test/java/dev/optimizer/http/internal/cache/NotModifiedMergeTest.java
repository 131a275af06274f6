package dev.optimizer.http.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.http.internal.Reply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/**
 * A 304 updates the stored response (RFC 9111 §4.3.4): each field the 304 carries replaces all the
 * stored values of that name, except the fields §3.2 keeps (Content-Length, Content-Encoding,
 * Transfer-Encoding, Content-Range); the rest stay as stored. What is served carries the Age of the
 * updated response (§5.1); what is stored does not.
 */
class NotModifiedMergeTest {
  private static final URI URI_V = URI.create("http://example.test/v");
  private static final long STORED_AT = 1_000_000_000_000L;
  private static final long VALIDATED_AT = STORED_AT + 60_000;

  @Example
  void the304sFieldsReplaceTheStoredOnesExceptThoseTheResponseBodyDependsOn() {
    StoredResponse stored =
        stored(
            fields(
                "Content-Type", List.of("text/plain"),
                "Content-Length", List.of("7"),
                "Content-Encoding", List.of("gzip"),
                "ETag", List.of("\"v1\""),
                "Cache-Control", List.of("max-age=10"),
                "X-Multi", List.of("a", "b"),
                "Age", List.of("5")));
    Reply notModified =
        notModified(
            fields(
                "cache-control", List.of("max-age=100"),
                "ETag", List.of("\"v1\""),
                "x-multi", List.of("c"),
                "Content-Length", List.of("0"),
                "content-encoding", List.of("identity"),
                "X-New", List.of("n"),
                "Age", List.of("1")));

    StoredResponse updated = stored.updatedBy(notModified, false, 0, VALIDATED_AT + 2_000);

    Map<String, List<String>> merged =
        fields(
            "content-type", List.of("text/plain"),
            "content-length", List.of("7"),
            "content-encoding", List.of("gzip"),
            "etag", List.of("\"v1\""),
            "cache-control", List.of("max-age=100"),
            "x-multi", List.of("c"),
            "x-new", List.of("n"),
            "age", List.of("1"));
    assertThat(byLowerCaseName(updated.reply.headers())).isEqualTo(merged);
    assertThat(updated.lifetimeMillis).isEqualTo(100_000); // the 304's max-age governs
    assertThat(updated.reply.body()).isEqualTo(stored.reply.body());
    assertThat(updated.reply.status()).isEqualTo(200);
    assertThat(updated.reply.responseTimeMillis()).isEqualTo(VALIDATED_AT);
    assertThat(updated.identity).isEqualTo(stored.identity);
    assertThat(updated.varyValues).isEqualTo(stored.varyValues);

    // Age 1 from the 304, plus the 2 s since: the served copy says 3, the stored one still 1.
    Reply served = updated.served(VALIDATED_AT + 2_000, Reply.Source.REVALIDATED);
    merged.put("age", List.of("3"));
    assertThat(byLowerCaseName(served.headers())).isEqualTo(merged);
    assertThat(served.source()).isEqualTo(Reply.Source.REVALIDATED);
    assertThat(updated.reply.headers().firstValue("age")).hasValue("1");
  }

  @Property
  void mergedFieldsFollowRfc9111(
      @ForAll("fields") Map<String, List<String>> storedFields,
      @ForAll("fields") Map<String, List<String>> notModifiedFields,
      @ForAll @LongRange(min = 0, max = 10_000) long servedAfterMillis) {
    StoredResponse stored = stored(storedFields);
    long now = VALIDATED_AT + servedAfterMillis;

    StoredResponse updated = stored.updatedBy(notModified(notModifiedFields), true, 3_600_000, now);

    Map<String, List<String>> expected = new TreeMap<>(byLowerCaseName(storedFields));
    byLowerCaseName(notModifiedFields)
        .forEach(
            (name, values) -> {
              if (!Set.of(
                      "content-length", "content-encoding", "transfer-encoding", "content-range")
                  .contains(name)) {
                expected.put(name, values);
              }
            });
    assertThat(byLowerCaseName(updated.reply.headers())).isEqualTo(expected);
    Reply served = updated.served(now, Reply.Source.REVALIDATED);
    expected.put("age", List.of(Long.toString(updated.currentAgeMillis(now) / 1000)));
    assertThat(byLowerCaseName(served.headers())).isEqualTo(expected);
    // Served again at the same second: the same fields.
    assertThat(byLowerCaseName(updated.served(now, Reply.Source.CACHE).headers()))
        .isEqualTo(expected);
  }

  @Provide
  Arbitrary<Map<String, List<String>>> fields() {
    Arbitrary<String> name =
        Arbitraries.of(
                "content-length",
                "content-encoding",
                "transfer-encoding",
                "content-range",
                "content-type",
                "cache-control",
                "etag",
                "age",
                "expires",
                "x-a",
                "x-b")
            .flatMap(
                n ->
                    Arbitraries.of(
                        n,
                        n.toUpperCase(Locale.ROOT),
                        n.substring(0, 1).toUpperCase(Locale.ROOT) + n.substring(1)));
    Arbitrary<List<String>> values =
        Arbitraries.of("1", "max-age=60", "\"e\"", "gzip", "v w").list().ofMinSize(1).ofMaxSize(2);
    return Combinators.combine(name.list().ofMaxSize(6), values.list().ofSize(6))
        .as(
            (names, valueLists) -> {
              Map<String, List<String>> m = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
              for (int i = 0; i < names.size(); i++) {
                m.putIfAbsent(names.get(i), valueLists.get(i));
              }
              return m;
            });
  }

  private static StoredResponse stored(Map<String, List<String>> fields) {
    Reply reply =
        new Reply(
            200,
            HttpHeaders.of(fields, (a, b) -> true),
            "body-v1".getBytes(StandardCharsets.UTF_8),
            HttpClient.Version.HTTP_1_1,
            URI_V,
            STORED_AT - 10,
            STORED_AT,
            Reply.Source.NETWORK);
    return new StoredResponse(reply, "", Map.of(), false, 3_600_000);
  }

  private static Reply notModified(Map<String, List<String>> fields) {
    return new Reply(
        304,
        HttpHeaders.of(fields, (a, b) -> true),
        new byte[0],
        HttpClient.Version.HTTP_1_1,
        URI_V,
        VALIDATED_AT - 10,
        VALIDATED_AT,
        Reply.Source.NETWORK);
  }

  private static Map<String, List<String>> fields(Object... namesAndValues) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      @SuppressWarnings("unchecked")
      List<String> values = (List<String>) namesAndValues[i + 1];
      m.put((String) namesAndValues[i], values);
    }
    return m;
  }

  private static Map<String, List<String>> byLowerCaseName(HttpHeaders headers) {
    return byLowerCaseName(headers.map());
  }

  private static Map<String, List<String>> byLowerCaseName(Map<String, List<String>> fields) {
    Map<String, List<String>> m = new TreeMap<>();
    fields.forEach((name, values) -> m.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
    return m;
  }
}
