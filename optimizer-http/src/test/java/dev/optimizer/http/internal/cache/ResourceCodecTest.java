package dev.optimizer.http.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.optimizer.http.internal.Reply;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The wire format of cache entries in Redis: round trip, and refusal of anything else. */
class ResourceCodecTest {
  private static final long CAP = 86_400_000L;
  private final ResourceCodec codec = new ResourceCodec(false, CAP);

  @Provide
  Arbitrary<List<StoredResponse>> resources() {
    Arbitrary<String> token =
        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12);
    // Field values: printable ASCII and some non-ASCII text (UTF-8 on the wire).
    Arbitrary<String> value =
        Arbitraries.strings()
            .withCharRange(' ', '~')
            .withChars('é', 'ü', '中', '\u00a0')
            .ofMaxLength(40);
    Arbitrary<Map<String, List<String>>> fields =
        Arbitraries.maps(token, value.list().ofMinSize(1).ofMaxSize(3)).ofMaxSize(8);
    Arbitrary<Map<String, String>> vary =
        Arbitraries.maps(token, value.injectNull(0.3)).ofMaxSize(3);
    Arbitrary<StoredResponse> variant =
        Combinators.combine(
                Arbitraries.integers().between(100, 599),
                fields,
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300),
                Arbitraries.of(HttpClient.Version.HTTP_1_1, HttpClient.Version.HTTP_2),
                Arbitraries.longs().between(0, 4_000_000_000_000L),
                Arbitraries.longs().between(0, 60_000),
                Arbitraries.of("", "3f2a9c", "0123456789abcdef0123456789abcdef"),
                vary)
            .as(
                (status, f, body, version, requestTime, delay, identity, v) -> {
                  Map<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                  map.putAll(f);
                  Reply reply =
                      new Reply(
                          status,
                          HttpHeaders.of(map, (a, b) -> true),
                          body,
                          version,
                          URI.create("http://example.test/r?q=" + status),
                          requestTime,
                          requestTime + delay,
                          Reply.Source.NETWORK);
                  return new StoredResponse(reply, identity, new LinkedHashMap<>(v), false, CAP);
                });
    return variant.list().ofMinSize(1).ofMaxSize(4);
  }

  @Property(tries = 300)
  void whatIsEncodedDecodesToTheSameVariants(@ForAll("resources") List<StoredResponse> variants)
      throws IOException {
    byte[] bytes = codec.encode("http://example.test/r", variants);
    List<StoredResponse> back = codec.decode("http://example.test/r", bytes);

    assertThat(back).hasSameSizeAs(variants);
    for (int i = 0; i < variants.size(); i++) {
      StoredResponse in = variants.get(i);
      StoredResponse out = back.get(i);
      assertThat(out.reply.status()).isEqualTo(in.reply.status());
      assertThat(out.reply.headers().map()).isEqualTo(in.reply.headers().map());
      assertThat(out.reply.body()).isEqualTo(in.reply.body());
      assertThat(out.reply.version()).isEqualTo(in.reply.version());
      assertThat(out.reply.uri()).isEqualTo(in.reply.uri());
      assertThat(out.reply.requestTimeMillis()).isEqualTo(in.reply.requestTimeMillis());
      assertThat(out.reply.responseTimeMillis()).isEqualTo(in.reply.responseTimeMillis());
      assertThat(out.identity).isEqualTo(in.identity);
      assertThat(out.varyValues).isEqualTo(in.varyValues);
      // What the reader works out again: the same freshness and age.
      assertThat(out.lifetimeMillis).isEqualTo(in.lifetimeMillis);
      assertThat(out.correctedInitialAgeMillis).isEqualTo(in.correctedInitialAgeMillis);
      assertThat(out.sameSelector(in)).isTrue();
    }
  }

  @Property(tries = 100)
  void everyTruncationIsRefusedAsAnIoException(
      @ForAll("resources") List<StoredResponse> variants,
      @ForAll @IntRange(min = 0, max = 10_000) int cut) {
    byte[] bytes = codec.encode("k", variants);
    byte[] truncated = Arrays.copyOf(bytes, cut % bytes.length);
    assertThatThrownBy(() -> codec.decode("k", truncated)).isInstanceOf(IOException.class);
  }

  @Property(tries = 300)
  void flippedBytesDecodeOrFailOnlyWithAnIoException(
      @ForAll("resources") List<StoredResponse> variants,
      @ForAll @IntRange(min = 0, max = 100_000) int position,
      @ForAll byte xor) {
    byte[] bytes = codec.encode("k", variants);
    bytes[position % bytes.length] ^= (xor == 0 ? 1 : xor);
    try {
      codec.decode("k", bytes);
    } catch (IOException expected) {
      // refused: the cache treats it as a miss
    }
  }

  @Example
  void anEntryOfAnotherVersionOrKeyIsRefused() {
    List<StoredResponse> one = new ArrayList<>();
    Map<String, List<String>> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    fields.put("cache-control", List.of("max-age=60"));
    one.add(
        new StoredResponse(
            new Reply(
                200,
                HttpHeaders.of(fields, (a, b) -> true),
                new byte[] {1, 2, 3},
                HttpClient.Version.HTTP_1_1,
                URI.create("http://h/a"),
                1000,
                1000,
                Reply.Source.NETWORK),
            "",
            Map.of(),
            false,
            CAP));
    byte[] bytes = codec.encode("http://h/a", one);

    assertThatThrownBy(() -> codec.decode("http://h/b", bytes))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("another key");
    byte[] newer = bytes.clone();
    newer[2] = (byte) (ResourceCodec.VERSION + 1);
    assertThatThrownBy(() -> codec.decode("http://h/a", newer))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("format version");
    assertThatThrownBy(() -> codec.decode("http://h/a", new byte[] {'{', '}'}))
        .isInstanceOf(IOException.class);
    byte[] trailing = Arrays.copyOf(bytes, bytes.length + 1);
    assertThatThrownBy(() -> codec.decode("http://h/a", trailing))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("after the entry");
  }

  @Example
  void aLengthLargerThanTheEntryIsRefusedWithoutAllocatingIt() throws IOException {
    byte[] bytes = codec.encode("k", List.of());
    // magic, version, key length (4) + "k", then the variant count: make it huge.
    bytes[4 + 4] = 0x7f;
    assertThatThrownBy(() -> codec.decode("k", bytes))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("exceeds");
  }
}
