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
 * unless the application asked for an encoding itself, and capped like gzip: what is buffered is
 * bounded, and a body decoding past the cap (a brotli bomb too), or larger than it as sent, is
 * handed on, decoded as the caller reads it. The bodies are compressed by the real brotli encoder.
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
  void aBrBodyDecodingPastTheCapIsHandedOnDecodedAsTheCallerReadsIt(HttpClient.Version version)
      throws Exception {
    MockHttpServer s = target(version);
    HttpClient client = client(version);
    byte[] bomb = brotli(new byte[64 << 20]); // 64 MiB of zeros, a few dozen bytes on the wire
    assertThat(bomb.length).isLessThan(1024);
    StringBuilder report = new StringBuilder();
    for (int i = 0; report.length() < 4 << 20; i++) {
      report.append("line ").append(i).append(" of a large report\n");
    }
    byte[] text = report.toString().getBytes(StandardCharsets.UTF_8);
    byte[] encodedText = brotli(text);
    assertThat(encodedText.length).as("compressed, it fits the 1 MiB cap").isLessThan(1 << 20);
    s.enqueue(ok("").body(bomb).header("Content-Encoding", "br"));
    s.enqueue(ok("after"));
    s.enqueue(ok("").body(bomb).header("Content-Encoding", "br").chunked(true));
    s.enqueue(ok("").body(encodedText).header("Content-Encoding", "br").chunked(true));

    // As through the plain client, which asks for no coding and gets identity: all of it, read at
    // the caller's pace (the transport holds the compressed body and one item, not 64 MiB).
    assertThat(zeros(client, s, "/bomb")).isEqualTo(64 << 20);
    assertThat(get(client, s.url("/next")).body()).isEqualTo("after");
    assertThat(zeros(client, s, "/chunked-bomb")).isEqualTo(64 << 20);
    HttpResponse<byte[]> whole =
        client.send(
            HttpRequest.newBuilder(s.url("/report")).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(whole.body()).isEqualTo(text);
    assertThat(whole.headers().firstValue("content-encoding")).isEmpty();
  }

  /** Reads {@code path} through an InputStream: how many bytes, all of them zeros. */
  private static long zeros(HttpClient client, MockHttpServer s, String path) throws Exception {
    HttpResponse<java.io.InputStream> response =
        client.send(
            HttpRequest.newBuilder(s.url(path)).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(response.headers().firstValue("content-encoding")).isEmpty();
    long read = 0;
    boolean allZero = true;
    try (java.io.InputStream in = response.body()) {
      byte[] chunk = new byte[16 * 1024];
      for (int n; (n = in.read(chunk)) != -1; read += n) {
        for (int i = 0; i < n && allZero; i++) {
          allZero = chunk[i] == 0;
        }
      }
    }
    assertThat(allZero).isTrue();
    return read;
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void aBrBodyOverTheCapAsSentArrivesDecodedAsThroughThePlainClient(HttpClient.Version version)
      throws Exception {
    MockHttpServer s = target(version);
    HttpClient client = client(version);
    byte[] noise = new byte[2 << 20];
    new java.util.Random(7).nextBytes(noise);
    byte[] encoded = brotli(noise); // incompressible: over the 1 MiB cap as sent
    s.enqueue(ok("").body(encoded).header("Content-Encoding", "br").chunked(true));
    s.enqueue(ok("").body(encoded).header("Content-Encoding", "br")); // declared over the cap
    s.enqueue(ok("").body(encoded).header("Content-Encoding", "br").chunked(true));

    // As the plain client (asking for no coding, getting identity) gets it: decoded, whole.
    HttpResponse<byte[]> chunked =
        get(client, s.url("/chunked"), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(chunked.body()).isEqualTo(noise);
    assertThat(chunked.headers().firstValue("content-encoding")).isEmpty();
    assertThat(chunked.headers().firstValue("content-length")).isEmpty();
    HttpResponse<byte[]> declared =
        get(client, s.url("/declared"), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(declared.body()).isEqualTo(noise);
    assertThat(declared.headers().firstValue("content-encoding")).isEmpty();
    assertThat(declared.headers().firstValue("content-length")).isEmpty();

    HttpResponse<byte[]> asSent =
        client.send(
            HttpRequest.newBuilder(s.url("/noise")).header("Accept-Encoding", "br").build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(asSent.body()).isEqualTo(encoded);
  }

  private static <T> HttpResponse<T> get(
      HttpClient client, java.net.URI uri, HttpResponse.BodyHandler<T> handler) throws Exception {
    return client.send(HttpRequest.newBuilder(uri).build(), handler);
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
