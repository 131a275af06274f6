package dev.optimizer.http;

import static dev.optimizer.http.MockHttpServer.Response.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.http.netty.NettyHttpClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A gzip or deflate body that the Netty transport decodes (it advertised the codings itself, the
 * application set no Accept-Encoding) and that is larger than {@code maxResponseBodyBytes} once
 * decoded reaches the caller whole, as the same resource does through the plain client (which asks
 * for no coding and gets it as identity): the cap bounds what the transport buffers, so such a body
 * is buffered only while it fits and then handed on, decoded as it arrives. A compression bomb is
 * no exception: it is not buffered past the cap, cached or shared either, and the caller reads it
 * at its own pace. Over HTTP/1.1 and HTTP/2, against a real server on loopback that, like real
 * origins, compresses only for a client that asks.
 */
class DecodedBodyOverTheCapTest extends DecodingFixture {
  private static final int CAP = 1 << 20;

  /** How the server ends the compressed body. */
  enum Framing {
    /** Transfer-Encoding: chunked, as servers compressing on the fly send it. */
    CHUNKED,
    /** A Content-Length (of the compressed bytes) within the cap. */
    DECLARED
  }

  /** About 4 MiB of text that compresses about tenfold: its compressed form fits in the cap. */
  private static byte[] text() {
    StringBuilder s = new StringBuilder(4 << 20);
    for (int i = 0; s.length() < 4 << 20; i++) {
      s.append("line ").append(i).append(" of a large report\n");
    }
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] encode(String coding, byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream z =
        coding.equals("gzip") ? new GZIPOutputStream(out) : new DeflaterOutputStream(out)) {
      z.write(data);
    }
    return out.toByteArray();
  }

  /**
   * Serves {@code data} at /big, in {@code coding} to a client that accepts it and as identity to
   * one that does not; "next" elsewhere.
   */
  private static void serve(
      MockHttpServer s, byte[] data, String coding, Framing framing, String cacheControl)
      throws IOException {
    byte[] encoded = encode(coding, data);
    s.dispatcher(
        r -> {
          if (!r.path().equals("/big")) {
            return ok("next");
          }
          String accepted = r.header("accept-encoding");
          MockHttpServer.Response response =
              accepted != null && accepted.contains(coding)
                  ? ok("").body(encoded).header("Content-Encoding", coding)
                  : ok("").body(data);
          if (cacheControl != null) {
            response.header("Cache-Control", cacheControl);
          }
          return framing == Framing.CHUNKED ? response.chunked(true) : response;
        });
  }

  /** A Netty client with the cache on (as it defaults) and a 1 MiB body cap. */
  private HttpClient cachingClient(HttpClient.Version version) {
    HttpOptimizer http = nothingRepeated(realOptimizer()).maxResponseBodyBytes(CAP).build();
    return NettyHttpClient.builder(http).version(version).maxConnectionsPerOrigin(1).build();
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void aChunkedGzipBodyLargerThanTheCapWhenDecodedArrivesWholeAsThroughThePlainClient(
      HttpClient.Version version) throws Exception {
    MockHttpServer s = target(version);
    byte[] data = text();
    serve(s, data, "gzip", Framing.CHUNKED, null);
    assertThat(encode("gzip", data).length).as("compressed, it fits").isLessThan(CAP);
    HttpClient client = client(version);

    // The plain client asks for no coding: identity, all of it.
    if (version == HttpClient.Version.HTTP_1_1) {
      assertThat(raw.send(request(s, "/big"), HttpResponse.BodyHandlers.ofByteArray()).body())
          .isEqualTo(data);
      s.takeRequest();
    }
    HttpResponse<byte[]> whole =
        client.send(request(s, "/big"), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(s.takeRequest().header("accept-encoding")).contains("gzip");
    assertThat(whole.body()).isEqualTo(data);
    assertThat(whole.headers().firstValue("content-encoding")).isEmpty();

    HttpResponse<InputStream> streamed =
        client.send(request(s, "/big"), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = streamed.body()) {
      assertThat(in.readAllBytes()).isEqualTo(data);
    }
    assertThat(get(client, s.url("/next")).body()).isEqualTo("next");
  }

  @ParameterizedTest
  @EnumSource(Framing.class)
  void aDeflateBodyLargerThanTheCapWhenDecodedArrivesWhole(Framing framing) throws Exception {
    byte[] data = text();
    serve(server, data, "deflate", framing, null);
    HttpClient client = client(HttpClient.Version.HTTP_1_1);

    HttpResponse<byte[]> response =
        client.send(request(server, "/big"), HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.body()).isEqualTo(data);
    assertThat(get(client, server.url("/next")).body()).isEqualTo("next");
    assertThat(server.connectionCount()).as("read to its end, the connection is reused").isOne();
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void aGzipBodyOfDeclaredLengthWithinTheCapDecodedPastItArrivesWhole(HttpClient.Version version)
      throws Exception {
    MockHttpServer s = target(version);
    byte[] data = text();
    serve(s, data, "gzip", Framing.DECLARED, null);
    HttpClient client = client(version);

    HttpResponse<byte[]> response =
        client.send(request(s, "/big"), HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.body()).isEqualTo(data);
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void aBodyHandedOnOnceDecodedPastTheCapIsNeitherBufferedNorCached(HttpClient.Version version)
      throws Exception {
    MockHttpServer s = target(version);
    byte[] zeros = new byte[20 << 20]; // 20 MiB, about 20 KiB on the wire: a compression bomb
    serve(s, zeros, "gzip", Framing.CHUNKED, "max-age=60");
    HttpClient client = cachingClient(version);

    // The caller reads it at its own pace: the transport holds at most the cap and a read's worth.
    HttpResponse<InputStream> response =
        client.send(request(s, "/big"), HttpResponse.BodyHandlers.ofInputStream());
    long read = 0;
    boolean allZero = true;
    try (InputStream in = response.body()) {
      byte[] chunk = new byte[64 * 1024];
      for (int n; (n = in.read(chunk)) != -1; ) {
        read += n;
        for (int i = 0; i < n && allZero; i++) {
          allZero = chunk[i] == 0;
        }
      }
    }
    assertThat(read).isEqualTo(zeros.length);
    assertThat(allZero).isTrue();

    // Not cached, although fresh for a minute: it was never held whole.
    client.send(request(s, "/big"), HttpResponse.BodyHandlers.discarding());
    assertThat(s.requestCount()).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void aCompressedBodyThatFitsWhenDecodedIsStillBufferedAndCached(HttpClient.Version version)
      throws Exception {
    MockHttpServer s = target(version);
    byte[] data = "small and cacheable\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
    serve(s, data, "gzip", Framing.CHUNKED, "max-age=60");
    HttpClient client = cachingClient(version);

    HttpResponse<String> first = get(client, s.url("/big"));
    HttpResponse<String> second = get(client, s.url("/big"));

    assertThat(second.body()).isEqualTo(first.body()).isEqualTo(new String(data, "UTF-8"));
    assertThat(first.headers().firstValue("content-encoding")).isEmpty();
    assertThat(first.headers().firstValueAsLong("content-length")).hasValue(data.length);
    assertThat(s.requestCount()).as("the second came from the cache").isOne();
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void aSmallCapDoesNotFailADecodedBodyPieceByPiece(HttpClient.Version version) throws Exception {
    // At the smallest cap, one piece of compressed text read from the connection decodes to more
    // than the cap: that is no reason to fail a body handed on anyway (declared over the cap).
    MockHttpServer s = target(version);
    byte[] data = text();
    serve(s, data, "gzip", Framing.DECLARED, null);
    HttpOptimizer http =
        nothingRepeated(realOptimizer()).cache(false).maxResponseBodyBytes(1024).build();
    HttpClient client = NettyHttpClient.builder(http).version(version).build();

    HttpResponse<byte[]> response =
        client.send(request(s, "/big"), HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.body()).isEqualTo(data);
  }

  private static HttpRequest request(MockHttpServer s, String path) {
    return HttpRequest.newBuilder(s.url(path)).build();
  }
}
