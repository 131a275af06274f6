package dev.optimizer.http;

import static dev.optimizer.http.MockHttpServer.Response.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.encoder.Encoder;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code br} bodies on the Netty transport, over HTTP/1.1 and HTTP/2 alike: advertised, decoded
 * unless the application asked for an encoding itself, and capped like gzip (a brotli bomb fails
 * with the same too-large error). The bodies are compressed by the real brotli encoder.
 */
class BrotliDecodingTest extends DecodingFixture {

  @BeforeAll
  static void loadEncoder() {
    Brotli4jLoader.ensureAvailability();
  }

  private static byte[] brotli(byte[] data) throws IOException {
    return Encoder.compress(data);
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void brIsAdvertisedAndDecodedUnlessTheApplicationAskedForAnEncoding(HttpClient.Version version)
      throws Exception {
    MockHttpServer s = target(version);
    HttpClient client = client(version);
    String text = "brotli ".repeat(50_000);
    byte[] compressed = brotli(text.getBytes(StandardCharsets.UTF_8));
    assertThat(compressed.length).isLessThan(text.length() / 100);
    s.dispatcher(r -> ok("").body(compressed).header("Content-Encoding", "br"));

    HttpResponse<String> decoded = get(client, s.url("/br"));
    assertThat(decoded.body()).isEqualTo(text);
    assertThat(decoded.headers().firstValue("content-encoding")).isEmpty();
    assertThat(decoded.headers().firstValue("content-length")).hasValue(text.length() + "");
    assertThat(s.takeRequest().header("accept-encoding")).isEqualTo("gzip, deflate, br");

    HttpResponse<byte[]> raw =
        client.send(
            HttpRequest.newBuilder(s.url("/br")).header("Accept-Encoding", "br").build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(raw.body()).isEqualTo(compressed);
    assertThat(raw.headers().firstValue("content-encoding")).hasValue("br");
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void aBrotliBombFailsWithTheTooLargeErrorThatNamesItsWorkaround(HttpClient.Version version)
      throws Exception {
    MockHttpServer s = target(version);
    HttpClient client = client(version);
    byte[] bomb = brotli(new byte[64 << 20]); // 64 MiB of zeros, a few dozen bytes on the wire
    assertThat(bomb.length).isLessThan(1024);
    s.enqueue(ok("").body(bomb).header("Content-Encoding", "br"));
    s.enqueue(ok("after"));
    s.enqueue(ok("").body(bomb).header("Content-Encoding", "br").chunked(true));

    // br is decoded only whole: past the cap it fails, and the error says what to do about it.
    assertThatThrownBy(() -> get(client, s.url("/bomb")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("exceeds maxResponseBodyBytes=1048576 (1 MiB)")
        .hasMessageContaining("maxResponseBodyBytes(bytes)")
        .hasMessageContaining("set Accept-Encoding on the request yourself");
    assertThat(get(client, s.url("/next")).body()).isEqualTo("after");

    // The workaround it names: with the application's own Accept-Encoding, the bytes as sent.
    HttpResponse<byte[]> asSent =
        client.send(
            HttpRequest.newBuilder(s.url("/bomb")).header("Accept-Encoding", "br").build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(asSent.body()).isEqualTo(bomb);
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void aChunkedBrBodyOverTheCapAsSentFailsNamingTheWorkaroundThatReadsIt(HttpClient.Version version)
      throws Exception {
    MockHttpServer s = target(version);
    HttpClient client = client(version);
    byte[] noise = new byte[2 << 20];
    new java.util.Random(7).nextBytes(noise);
    byte[] encoded = brotli(noise); // incompressible: over the 1 MiB cap as sent
    s.dispatcher(r -> ok("").body(encoded).header("Content-Encoding", "br").chunked(true));

    assertThatThrownBy(() -> get(client, s.url("/noise")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("exceeds maxResponseBodyBytes=1048576")
        .hasMessageContaining("The transport asked for br itself")
        .hasMessageContaining("set Accept-Encoding on the request yourself");

    HttpResponse<byte[]> asSent =
        client.send(
            HttpRequest.newBuilder(s.url("/noise")).header("Accept-Encoding", "br").build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(asSent.body()).isEqualTo(encoded);
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void aMalformedBrBodyFailsClearly(HttpClient.Version version) throws Exception {
    MockHttpServer s = target(version);
    HttpClient client = client(version);
    s.enqueue(ok("this is not brotli at all").header("Content-Encoding", "br"));

    assertThatThrownBy(() -> get(client, s.url("/bad")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("malformed br body");
  }
}
