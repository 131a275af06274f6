package dev.optimizer.http;

import static dev.optimizer.http.MockHttpServer.Response.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code deflate} bodies on the Netty transport, over HTTP/1.1 and HTTP/2, as gzip and br are
 * tested: advertised, decoded unless the application asked for an encoding itself, and buffered
 * only up to the cap (past it, a deflate bomb too is handed on decoded as it is read). RFC 9110
 * §8.4.1.2 defines deflate as the zlib format; raw deflate without the zlib wrapper, which some
 * servers send, is decoded too.
 */
class DeflateDecodingTest extends DecodingFixture {

  /** The two shapes of a deflate body met in practice. */
  enum Shape {
    /** The zlib format (RFC 1950), as RFC 9110 defines deflate. */
    ZLIB,
    /** A bare deflate stream (RFC 1951) without the zlib header and checksum. */
    RAW
  }

  private static byte[] deflate(byte[] data, Shape shape) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, shape == Shape.RAW);
    try (DeflaterOutputStream z = new DeflaterOutputStream(out, deflater)) {
      z.write(data);
    } finally {
      deflater.end();
    }
    return out.toByteArray();
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void deflateIsAdvertisedAndDecodedUnlessTheApplicationAskedForAnEncoding(
      HttpClient.Version version) throws Exception {
    MockHttpServer s = target(version);
    HttpClient client = client(version);
    String text = "deflate ".repeat(50_000);
    byte[] compressed = deflate(text.getBytes(StandardCharsets.UTF_8), Shape.ZLIB);
    assertThat(compressed.length).isLessThan(text.length() / 100);
    s.dispatcher(r -> ok("").body(compressed).header("Content-Encoding", "deflate"));

    HttpResponse<String> decoded = get(client, s.url("/d"));
    assertThat(decoded.body()).isEqualTo(text);
    assertThat(decoded.headers().firstValue("content-encoding")).isEmpty();
    assertThat(s.takeRequest().header("accept-encoding")).contains("deflate");

    HttpResponse<byte[]> asSent =
        client.send(
            HttpRequest.newBuilder(s.url("/d")).header("Accept-Encoding", "deflate").build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(asSent.body()).isEqualTo(compressed);
    assertThat(asSent.headers().firstValue("content-encoding")).hasValue("deflate");
    assertThat(s.takeRequest().header("accept-encoding")).isEqualTo("deflate");
  }

  @ParameterizedTest
  @EnumSource(Shape.class)
  void bothShapesOfDeflateAreDecoded(Shape shape) throws Exception {
    HttpClient client = client(HttpClient.Version.HTTP_1_1);
    String text = "shape " + shape + " ".repeat(10_000) + "end";
    byte[] compressed = deflate(text.getBytes(StandardCharsets.UTF_8), shape);
    server.enqueue(ok("").body(compressed).header("Content-Encoding", "deflate"));

    assertThat(get(client, server.url("/shape")).body()).isEqualTo(text);
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void aDeflateBombIsHandedOnDecodedNotBuffered(HttpClient.Version version) throws Exception {
    MockHttpServer s = target(version);
    HttpClient client = client(version);
    byte[] bomb = deflate(new byte[20 << 20], Shape.ZLIB); // 20 MiB of zeros, ~20 KiB on the wire
    assertThat(bomb.length).isLessThan(64 * 1024);
    s.enqueue(ok("").body(bomb).header("Content-Encoding", "deflate"));
    s.enqueue(ok("after"));

    // Past the cap once decoded, it reaches the caller as it is read, not held whole.
    HttpResponse<InputStream> response =
        client.send(
            HttpRequest.newBuilder(s.url("/bomb")).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = response.body()) {
      byte[] all = in.readAllBytes();
      assertThat(all).hasSize(20 << 20);
      assertThat(all).containsOnly(0);
    }
    assertThat(get(client, s.url("/next")).body()).isEqualTo("after");
    assertThat(s.connectionCount()).as("read to its end, its connection is reused").isOne();
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void aMalformedDeflateBodyFailsClearly(HttpClient.Version version) throws Exception {
    MockHttpServer s = target(version);
    HttpClient client = client(version);
    s.enqueue(ok("this is not deflate at all").header("Content-Encoding", "deflate"));
    s.enqueue(ok("after"));

    assertThatThrownBy(() -> get(client, s.url("/bad")))
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(java.net.http.HttpTimeoutException.class);
    assertThat(get(client, s.url("/next")).body()).isEqualTo("after");
  }
}
