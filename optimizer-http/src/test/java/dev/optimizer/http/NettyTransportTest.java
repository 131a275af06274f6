package dev.optimizer.http;

import static dev.optimizer.http.MockHttpServer.Response.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.optimizer.http.MockHttpServer.Fault;
import dev.optimizer.http.netty.NettyHttpClient;
import dev.optimizer.runtime.Optimizer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Netty transport against a real server on loopback: keep-alive, decoding, caps, faults. */
class NettyTransportTest extends HttpFixture {

  private HttpOptimizer plain(long maxBody) {
    return nothingRepeated(realOptimizer()).cache(false).maxResponseBodyBytes(maxBody).build();
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(data);
    }
    return out.toByteArray();
  }

  @Test
  void requestsShareOneKeptAliveConnection() throws Exception {
    HttpClient client = NettyHttpClient.builder(plain(1 << 20)).build();
    server.dispatcher(r -> ok(r.method() + " " + r.path() + " " + r.body()));

    for (int i = 0; i < 20; i++) {
      assertThat(get(client, server.url("/k?i=" + i)).body()).isEqualTo("GET /k?i=" + i + " ");
    }
    HttpResponse<String> posted =
        client.send(
            HttpRequest.newBuilder(server.url("/p"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}"))
                .header("Content-Type", "application/json")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(posted.body()).isEqualTo("POST /p {\"a\":1}");
    assertThat(posted.statusCode()).isEqualTo(200);
    assertThat(server.connectionCount()).isEqualTo(1);

    assertThat(client.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(client.followRedirects()).isEqualTo(HttpClient.Redirect.NEVER);
    assertThat(client.connectTimeout()).hasValue(Duration.ofSeconds(10));
    assertThat(
            client.sendAsync(
                HttpRequest.newBuilder(server.url("/push")).build(),
                HttpResponse.BodyHandlers.ofString(),
                (initiating, pushed, accept) -> {}))
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withMessageContaining("no server push");
  }

  @Test
  void gzipIsDecodedUnlessTheApplicationAskedForAnEncoding() throws Exception {
    HttpClient client = NettyHttpClient.builder(plain(1 << 20)).build();
    byte[] text = "hello ".repeat(100_000).getBytes(StandardCharsets.UTF_8);
    byte[] zipped = gzip(text);
    server.dispatcher(r -> ok("").body(zipped).header("Content-Encoding", "gzip"));

    HttpResponse<String> decoded = get(client, server.url("/z"));
    assertThat(decoded.body()).isEqualTo("hello ".repeat(100_000));
    assertThat(decoded.headers().firstValue("content-encoding")).isEmpty();
    assertThat(server.takeRequest().header("accept-encoding")).contains("gzip");

    HttpResponse<byte[]> raw =
        client.send(
            HttpRequest.newBuilder(server.url("/z")).header("Accept-Encoding", "gzip").build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(raw.body()).isEqualTo(zipped);
    assertThat(raw.headers().firstValue("content-encoding")).hasValue("gzip");
  }

  @Test
  void aCompressionBombIsHandedOnDecodedAndItsConnectionReusedOnceRead() throws Exception {
    HttpClient client = NettyHttpClient.builder(plain(1 << 20)).build();
    byte[] bomb = gzip(new byte[20 << 20]); // 20 MiB of zeros, about 20 KiB on the wire
    server.enqueue(ok("").body(bomb).header("Content-Encoding", "gzip"));
    server.enqueue(ok("after"));

    // Decoded past the cap, it is not buffered but handed on: the caller reads it as it likes.
    HttpResponse<java.io.InputStream> response =
        client.send(
            HttpRequest.newBuilder(server.url("/bomb")).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    try (java.io.InputStream in = response.body()) {
      byte[] all = in.readAllBytes();
      assertThat(all).hasSize(20 << 20);
      assertThat(all).containsOnly(0);
    }
    assertThat(get(client, server.url("/next")).body()).isEqualTo("after");
    assertThat(server.connectionCount()).isEqualTo(1);
  }

  @Test
  void aResetMidBodyFailsAndTheNextRequestUsesAFreshConnection() throws Exception {
    HttpClient client = NettyHttpClient.builder(plain(1 << 20)).build();
    server.enqueue(ok("x".repeat(10_000)).fault(Fault.RESET_MID_BODY));
    server.enqueue(ok("fine"));

    assertThatThrownBy(() -> get(client, server.url("/reset"))).isInstanceOf(IOException.class);
    assertThat(get(client, server.url("/fine")).body()).isEqualTo("fine");
  }

  @Test
  void aServerThatHangsTimesOutWithinTheRequestTimeout() {
    HttpClient client = NettyHttpClient.builder(plain(1 << 20)).build();
    server.enqueue(ok("never").fault(Fault.HANG));

    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                client.send(
                    HttpRequest.newBuilder(server.url("/hang"))
                        .timeout(Duration.ofMillis(300))
                        .build(),
                    HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(HttpTimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void thePipelineRunsInFrontOfNetty() throws Exception {
    HttpOptimizer http = HttpOptimizer.create(realOptimizer());
    HttpClient client = NettyHttpClient.builder(http).build();
    server.dispatcher(r -> ok("cached").header("Cache-Control", "max-age=600"));

    assertThat(get(client, server.url("/c")).body()).isEqualTo("cached");
    assertThat(get(client, server.url("/c")).body()).isEqualTo("cached");
    assertThat(server.requestCount()).isEqualTo(1);
    assertThat(http.stats().cacheHits()).isEqualTo(1);
  }

  @Test
  void httpsChecksTheServersCertificate(@TempDir Path dir) throws Exception {
    SelfSignedTls tls = SelfSignedTls.create(dir);
    try (MockHttpServer secure = new MockHttpServer(tls.server)) {
      secure.dispatcher(r -> ok("secret " + r.path()));
      HttpOptimizer http = plain(1 << 20);
      HttpClient trusting = NettyHttpClient.builder(http).sslContext(tls.client).build();
      assertThat(get(trusting, secure.url("/a")).body()).isEqualTo("secret /a");
      assertThat(get(trusting, secure.url("/b")).body()).isEqualTo("secret /b");
      assertThat(secure.connectionCount()).isEqualTo(1);

      HttpClient defaultTrust = NettyHttpClient.builder(http).build();
      assertThatThrownBy(() -> get(defaultTrust, secure.url("/c")))
          .isInstanceOf(javax.net.ssl.SSLException.class);
    }
  }

  @Test
  void otherSchemesAreRefusedClearlyAndClosingReleasesTheThreads() throws Exception {
    java.util.Set<Thread> before = nettyThreads();
    HttpOptimizer http = plain(1 << 20);
    HttpClient client = NettyHttpClient.builder(http).eventLoopThreads(2).build();
    assertThatThrownBy(() -> get(client, URI.create("ftp://127.0.0.1:1/")))
        .isInstanceOf(Exception.class);
    server.enqueue(ok("one"));
    get(client, server.url("/one"));
    java.util.Set<Thread> mine = nettyThreads();
    mine.removeAll(before); // other tests' transports may still be winding down
    assertThat(mine).isNotEmpty();

    http.close();
    for (Thread t : mine) {
      t.join(5_000); // the event loop reports termination just before its thread ends
    }
    assertThat(mine).noneMatch(Thread::isAlive);
    assertThatThrownBy(() -> get(client, server.url("/closed"))).isInstanceOf(IOException.class);
  }

  @Test
  void clientsClosedOnTheirOwnLeaveNothingInTheirHttpOptimizer() throws Exception {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    OpenTelemetrySdk otel =
        OpenTelemetrySdk.builder()
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build())
            .build();
    optimizer = Optimizer.builder().openTelemetry(otel).manualTuning().build();
    HttpOptimizer http = nothingRepeated(optimizer).cache(false).build();
    int heldBefore = http.held();
    java.util.Set<Thread> before = nettyThreads();
    server.dispatcher(r -> ok("x"));

    HttpClient last = null;
    for (int i = 0; i < 20; i++) {
      HttpClient client = NettyHttpClient.builder(http).eventLoopThreads(1).build();
      assertThat(get(client, server.url("/c" + i)).body()).isEqualTo("x"); // a thread, a connection
      ((AutoCloseable) client).close(); // HttpClient.close() on JDK 21+: the same method
      ((AutoCloseable) client).close(); // idempotent
      assertThat(http.held()).as("held after %d clients were closed", i + 1).isEqualTo(heldBefore);
      last = client;
    }

    java.util.Set<Thread> started = nettyThreads();
    started.removeAll(before); // other tests' transports may still be winding down
    for (Thread t : started) {
      t.join(5_000); // the event loop reports termination just before its thread ends
    }
    assertThat(started).noneMatch(Thread::isAlive);
    assertThat(openConnectionPoints(reader)).as("open_connections points").isZero();
    HttpClient closed = last;
    assertThatThrownBy(() -> get(closed, server.url("/closed"))).isInstanceOf(IOException.class);
    // The HttpOptimizer itself goes on serving its other clients.
    HttpClient other = NettyHttpClient.builder(http).eventLoopThreads(1).build();
    assertThat(get(other, server.url("/other")).body()).isEqualTo("x");
    assertThat(http.held()).isEqualTo(heldBefore + 1);
    http.close(); // closes the one left open, once
    ((AutoCloseable) other).close(); // after its HttpOptimizer: nothing left to do, no failure
  }

  private static long openConnectionPoints(InMemoryMetricReader reader) {
    return reader.collectAllMetrics().stream()
        .filter(m -> m.getName().equals("http.client.open_connections"))
        .mapToLong(m -> m.getLongSumData().getPoints().size())
        .sum();
  }

  @Test
  void openConnectionsAreReportedByState() throws Exception {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    OpenTelemetrySdk otel =
        OpenTelemetrySdk.builder()
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build())
            .build();
    optimizer = Optimizer.builder().openTelemetry(otel).manualTuning().build();
    HttpClient client = NettyHttpClient.builder(HttpOptimizer.create(optimizer)).build();
    server.dispatcher(r -> ok("x"));
    get(client, server.url("/a"));
    get(client, server.url("/b"));

    // The pool takes a connection back on its own event loop: wait for it (bounded), no sleep.
    long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    java.util.Map<String, Long> byState;
    do {
      byState = openConnections(reader);
    } while (!byState.equals(java.util.Map.of("idle", 1L, "active", 0L))
        && System.nanoTime() < until);
    assertThat(byState).containsEntry("idle", 1L).containsEntry("active", 0L);
  }

  private static java.util.Map<String, Long> openConnections(InMemoryMetricReader reader) {
    MetricData open =
        reader.collectAllMetrics().stream()
            .filter(m -> m.getName().equals("http.client.open_connections"))
            .findFirst()
            .orElseThrow();
    assertThat(open.getUnit()).isEqualTo("{connection}");
    var byState = new java.util.HashMap<String, Long>();
    open.getLongSumData()
        .getPoints()
        .forEach(
            p -> {
              assertThat(p.getAttributes().get(AttributeKey.stringKey("server.address")))
                  .isEqualTo("127.0.0.1");
              byState.put(
                  p.getAttributes().get(AttributeKey.stringKey("http.connection.state")),
                  p.getValue());
            });
    return byState;
  }

  @Test
  void badSettingsNameTheSettingAndTheRange() {
    HttpOptimizer http = plain(1 << 20);
    assertThatThrownBy(() -> NettyHttpClient.builder(http).maxConnectionsPerOrigin(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxConnectionsPerOrigin");
  }

  private static java.util.Set<Thread> nettyThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("optimizer-netty-"))
        .collect(java.util.stream.Collectors.toCollection(java.util.HashSet::new));
  }
}
