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
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 on the Netty transport against a real HTTP/2 server on loopback: multiplexing on one
 * connection, the server's stream limit, resets and GOAWAY that fail only the streams affected, a
 * lost connection, hedging's cancel as a stream reset, and the pipeline's cache and coalescing.
 */
class Http2TransportTest extends HttpFixture {
  private MockHttpServer h2;

  @AfterEach
  void stopHttp2Server() {
    if (h2 != null) {
      h2.close();
    }
  }

  private HttpOptimizer plain() {
    return nothingRepeated(realOptimizer()).cache(false).maxResponseBodyBytes(1 << 20).build();
  }

  private static HttpClient http2(HttpOptimizer http) {
    return NettyHttpClient.builder(http).version(HttpClient.Version.HTTP_2).build();
  }

  private static CompletableFuture<HttpResponse<String>> async(HttpClient client, HttpRequest r) {
    return client.sendAsync(r, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void manyConcurrentRequestsShareOneConnection() throws Exception {
    h2 = MockHttpServer.http2(null, 100);
    int n = 50;
    CompletableFuture<Void> allArrived = new CompletableFuture<>();
    AtomicInteger arrived = new AtomicInteger();
    h2.dispatcher(
        r -> {
          if (arrived.incrementAndGet() == n) {
            allArrived.complete(null);
          }
          return ok("got " + r.path()).gate(allArrived);
        });
    HttpClient client = http2(plain());

    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      calls.add(async(client, HttpRequest.newBuilder(h2.url("/m?i=" + i)).build()));
    }
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = calls.get(i).get(10, TimeUnit.SECONDS);
      assertThat(r.body()).isEqualTo("got /m?i=" + i);
      assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(r.headers().map().keySet()).noneMatch(k -> k.startsWith("x-http2"));
    }
    assertThat(h2.maxInFlight()).as("all %d were in flight at once", n).isEqualTo(n);
    assertThat(h2.connectionCount()).isEqualTo(1);
    assertThat(client.version()).isEqualTo(HttpClient.Version.HTTP_2);

    HttpResponse<String> posted = post(client, h2.url("/p"), "{\"a\":1}");
    assertThat(posted.statusCode()).isEqualTo(200);
    assertThat(h2.drain()).last().extracting(MockHttpServer.Recorded::body).isEqualTo("{\"a\":1}");
    assertThat(h2.connectionCount()).isEqualTo(1);
  }

  @Test
  void aClosedLoopLoadStaysOnOneConnection() throws Exception {
    // Under load Netty closes finished streams in batches, after the read that ended them; a
    // request must wait for such a slot rather than count the connection as full.
    h2 = MockHttpServer.http2(null, 100);
    h2.dispatcher(r -> ok("x").delay(1));
    HttpClient client = http2(plain());
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    List<Thread> users = new ArrayList<>();
    for (int u = 0; u < 64; u++) {
      Thread t =
          new Thread(
              () -> {
                while (next.getAndIncrement() < 3000) {
                  try {
                    get(client, h2.url("/load"));
                  } catch (IOException | InterruptedException e) {
                    failed.incrementAndGet();
                  }
                }
              });
      users.add(t);
      t.start();
    }
    for (Thread t : users) {
      t.join(60_000);
    }
    assertThat(failed.get()).isZero();
    assertThat(h2.requestCount()).isEqualTo(3000);
    assertThat(h2.connectionCount()).isEqualTo(1);
  }

  @Test
  void theServersStreamLimitQueuesRequestsOnOneConnection() throws Exception {
    h2 = MockHttpServer.http2(null, 2);
    h2.dispatcher(r -> ok("r").delay(50));
    HttpClient client =
        NettyHttpClient.builder(plain())
            .version(HttpClient.Version.HTTP_2)
            .maxConnectionsPerOrigin(1)
            .build();

    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      calls.add(async(client, HttpRequest.newBuilder(h2.url("/q" + i)).build()));
    }
    for (CompletableFuture<HttpResponse<String>> c : calls) {
      assertThat(c.get(10, TimeUnit.SECONDS).body()).isEqualTo("r");
    }
    assertThat(h2.maxInFlight()).isEqualTo(2);
    assertThat(h2.connectionCount()).isEqualTo(1);
  }

  /** A client whose only stream (one connection, the server allows one) a request holds. */
  private record HeldStream(
      HttpClient client,
      CompletableFuture<HttpResponse<String>> held,
      CompletableFuture<Void> release) {}

  /** Holds the only stream with {@code /held} until {@code release}; other paths answer "next". */
  private HeldStream holdTheOnlyStream(HttpOptimizer http) throws Exception {
    h2 = MockHttpServer.http2(null, 1);
    CompletableFuture<Void> release = new CompletableFuture<>();
    h2.dispatcher(r -> r.path().equals("/held") ? ok("held").gate(release) : ok("next"));
    HttpClient client =
        NettyHttpClient.builder(http)
            .version(HttpClient.Version.HTTP_2)
            .maxConnectionsPerOrigin(1)
            .build();
    CompletableFuture<HttpResponse<String>> held =
        async(client, HttpRequest.newBuilder(h2.url("/held")).build());
    assertThat(h2.takeRequest().path()).isEqualTo("/held");
    return new HeldStream(client, held, release);
  }

  @Test
  void aRequestThatTimesOutWhileQueuedForAStreamLeavesNoTrace() throws Exception {
    HeldStream s = holdTheOnlyStream(plain());
    assertThatThrownBy(
            () ->
                s.client()
                    .send(
                        HttpRequest.newBuilder(h2.url("/queued"))
                            .timeout(Duration.ofMillis(200))
                            .build(),
                        HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(java.net.http.HttpTimeoutException.class);
    s.release().complete(null);
    assertThat(s.held().get(10, TimeUnit.SECONDS).body()).isEqualTo("held");

    assertThat(get(s.client(), h2.url("/next")).body()).isEqualTo("next");
    assertThat(h2.drain()).extracting(MockHttpServer.Recorded::path).containsExactly("/next");
    assertThat(h2.connectionCount()).isEqualTo(1);
  }

  @Test
  void aRequestWhoseDeadlinePassedWhileQueuedIsNotSentEvenBeforeItsTimerFires() throws Exception {
    // The caller's timer and the stream that frees up race: whichever the transport hears of
    // first, a request past its deadline must not reach the server. Manual time passes the
    // deadline while the (real-time) timer is an hour away, so only the deadline check can stop it.
    HeldStream s =
        holdTheOnlyStream(
            nothingRepeated(manualOptimizer()).cache(false).maxResponseBodyBytes(1 << 20).build());
    CompletableFuture<HttpResponse<String>> queued =
        async(
            s.client(),
            HttpRequest.newBuilder(h2.url("/queued")).timeout(Duration.ofHours(1)).build());
    time.advance(Duration.ofHours(2));
    s.release().complete(null);
    assertThat(s.held().get(10, TimeUnit.SECONDS).body()).isEqualTo("held");

    assertThatThrownBy(() -> queued.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(java.net.http.HttpTimeoutException.class)
        .hasMessageContaining("not sent");
    assertThat(get(s.client(), h2.url("/next")).body()).isEqualTo("next");
    assertThat(h2.drain()).extracting(MockHttpServer.Recorded::path).containsExactly("/next");
  }

  @Test
  void beyondTheServersStreamLimitASecondConnectionOpens() throws Exception {
    h2 = MockHttpServer.http2(null, 2);
    CompletableFuture<Void> fourArrived = new CompletableFuture<>();
    AtomicInteger arrived = new AtomicInteger();
    h2.dispatcher(
        r -> {
          if (arrived.incrementAndGet() == 4) {
            fourArrived.complete(null);
          }
          return ok("r").gate(fourArrived);
        });
    HttpClient client = http2(plain());

    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      calls.add(async(client, HttpRequest.newBuilder(h2.url("/s" + i)).build()));
    }
    for (CompletableFuture<HttpResponse<String>> c : calls) {
      assertThat(c.get(10, TimeUnit.SECONDS).body()).isEqualTo("r");
    }
    assertThat(h2.connectionCount()).isEqualTo(2);
    assertThat(h2.maxInFlight()).isEqualTo(4);
  }

  @Test
  void aStreamResetFailsOnlyThatRequest() throws Exception {
    h2 = MockHttpServer.http2(null, 100);
    CompletableFuture<Void> resetDone = new CompletableFuture<>();
    h2.dispatcher(
        r ->
            r.path().equals("/reset")
                ? ok("x").fault(Fault.RESET_BEFORE_RESPONSE)
                : ok("fine " + r.path()).gate(resetDone));
    HttpClient client = http2(plain());

    CompletableFuture<HttpResponse<String>> a =
        async(client, HttpRequest.newBuilder(h2.url("/a")).build());
    CompletableFuture<HttpResponse<String>> reset =
        async(client, HttpRequest.newBuilder(h2.url("/reset")).build());
    CompletableFuture<HttpResponse<String>> c =
        async(client, HttpRequest.newBuilder(h2.url("/c")).build());
    assertThatThrownBy(() -> reset.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(IOException.class)
        .hasMessageContaining("the server reset HTTP/2 stream")
        .hasMessageContaining("CANCEL");
    resetDone.complete(null);

    assertThat(a.get(10, TimeUnit.SECONDS).body()).isEqualTo("fine /a");
    assertThat(c.get(10, TimeUnit.SECONDS).body()).isEqualTo("fine /c");
    assertThat(get(client, h2.url("/after")).body()).isEqualTo("fine /after");
    assertThat(h2.connectionCount()).isEqualTo(1);
  }

  @Test
  void goAwayFailsOnlyTheStreamsTheServerDidNotProcess() throws Exception {
    h2 = MockHttpServer.http2(null, 100);
    CompletableFuture<Void> goAwaySent = new CompletableFuture<>();
    h2.dispatcher(
        r ->
            switch (r.path()) {
              case "/first" -> ok("first").gate(goAwaySent);
              case "/second" -> {
                goAwaySent.complete(null); // answers /first right after the GOAWAY
                yield ok("never").fault(Fault.GOAWAY);
              }
              default -> ok("later");
            });
    HttpClient client = http2(plain());

    CompletableFuture<HttpResponse<String>> first =
        async(client, HttpRequest.newBuilder(h2.url("/first")).build());
    assertThat(h2.takeRequest().path()).isEqualTo("/first");
    CompletableFuture<HttpResponse<String>> second =
        async(client, HttpRequest.newBuilder(h2.url("/second")).build());

    assertThatThrownBy(() -> second.get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(IOException.class)
        .hasMessageContaining("GOAWAY")
        .hasMessageContaining("not processed");
    assertThat(first.get(10, TimeUnit.SECONDS).body()).isEqualTo("first");
    assertThat(get(client, h2.url("/third")).body()).isEqualTo("later");
    assertThat(h2.connectionCount()).as("the third request opened a new connection").isEqualTo(2);
  }

  @Test
  void aLostConnectionFailsItsStreamsAndTheNextRequestReconnects() throws Exception {
    h2 = MockHttpServer.http2(null, 100);
    h2.dispatcher(
        r ->
            r.path().equals("/kill")
                ? ok("x").fault(Fault.KILL_CONNECTION)
                : ok("x").fault(r.path().equals("/held") ? Fault.HANG : Fault.NONE));
    HttpClient client = http2(plain());

    CompletableFuture<HttpResponse<String>> held =
        async(client, HttpRequest.newBuilder(h2.url("/held")).build());
    assertThat(h2.takeRequest().path()).isEqualTo("/held");
    assertThatThrownBy(() -> get(client, h2.url("/kill"))).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> held.get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(IOException.class)
        .hasMessageContaining("closed before the response was complete");

    assertThat(get(client, h2.url("/next")).body()).isEqualTo("x");
    assertThat(h2.connectionCount()).isEqualTo(2);
  }

  @Test
  void aResponseOverTheCapArrivesWholeOnItsStream() throws Exception {
    h2 = MockHttpServer.http2(null, 100);
    h2.dispatcher(r -> ok(r.path().equals("/big") ? "y".repeat(2 << 20) : "z".repeat(900_000)));
    HttpClient client = http2(plain());
    // under the cap, far over a stream's 64 KiB flow-control window: the window is given back
    assertThat(get(client, h2.url("/fits")).body()).hasSize(900_000);

    // Over the cap, it is not buffered but handed to the caller as it arrives (it used to fail
    // with ResponseTooLargeException); ofString reads it whole, the window given back as it goes.
    assertThat(get(client, h2.url("/big")).body()).isEqualTo("y".repeat(2 << 20));
    assertThat(get(client, h2.url("/small")).body()).hasSize(900_000);
    assertThat(h2.connectionCount()).isEqualTo(1);
  }

  @Test
  void hedgingCancelsTheLoserByResettingOnlyItsStream() throws Exception {
    h2 = MockHttpServer.http2(null, 100);
    HttpOptimizer http =
        HttpOptimizer.builder(realOptimizer())
            .cache(false)
            .coalescing(false)
            .maxAttempts(1)
            .adaptiveLimit(false)
            .circuitBreaker(false)
            .hedgeWarmupSamples(10)
            .hedgeMinDelay(Duration.ofMillis(20))
            .build();
    HttpClient client = http2(http);
    AtomicInteger n = new AtomicInteger();
    h2.dispatcher(r -> n.incrementAndGet() == 21 ? ok("r").fault(Fault.HANG) : ok("r"));
    for (int i = 0; i < 20; i++) {
      get(client, h2.url("/h"));
    }
    assertThat(h2.resetCount()).isZero();

    assertThat(get(client, h2.url("/h")).body()).isEqualTo("r");
    assertThat(http.stats().hedgesWon()).isEqualTo(1);
    Await.until(() -> h2.resetCount() == 1, "the losing stream is reset");
    assertThat(get(client, h2.url("/h")).body()).isEqualTo("r");
    assertThat(h2.connectionCount()).isEqualTo(1);
    assertThat(h2.resetCount()).isEqualTo(1);
  }

  @Test
  void cacheAndCoalescingWorkOverHttp2() throws Exception {
    h2 = MockHttpServer.http2(null, 100);
    CompletableFuture<Void> followersJoined = new CompletableFuture<>();
    h2.dispatcher(r -> ok("shared").header("Cache-Control", "max-age=600").gate(followersJoined));
    HttpOptimizer http = HttpOptimizer.create(realOptimizer());
    HttpClient client = http2(http);

    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      calls.add(async(client, HttpRequest.newBuilder(h2.url("/same")).build()));
    }
    Await.until(() -> http.stats().coalesced() == 9, "nine requests join the first");
    followersJoined.complete(null);
    for (CompletableFuture<HttpResponse<String>> c : calls) {
      assertThat(c.get(10, TimeUnit.SECONDS).body()).isEqualTo("shared");
    }
    assertThat(get(client, h2.url("/same")).body()).isEqualTo("shared");
    assertThat(h2.requestCount()).isEqualTo(1);
    assertThat(http.stats().cacheHits()).isEqualTo(1);
  }

  @Test
  void h2cAgainstAnHttp1ServerFailsClearly() {
    HttpClient client = http2(plain());
    server.dispatcher(r -> ok("h1"));
    assertThatThrownBy(
            () ->
                client.send(
                    HttpRequest.newBuilder(server.url("/x")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("HTTP/2");
  }

  @Test
  void aServerThatSendsNoSettingsFailsWithinTheConnectTimeout() throws Exception {
    try (java.net.ServerSocket silent =
        new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      HttpClient client =
          NettyHttpClient.builder(plain())
              .version(HttpClient.Version.HTTP_2)
              .connectTimeout(Duration.ofMillis(300))
              .build();
      long start = System.nanoTime();
      assertThatThrownBy(
              () -> get(client, java.net.URI.create("http://127.0.0.1:" + silent.getLocalPort())))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("no HTTP/2 SETTINGS from the server within 300 ms");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }
  }

  @Test
  void httpsNegotiatesH2ByAlpnAndFallsBackToHttp11(@TempDir Path dir) throws Exception {
    SelfSignedTls tls = SelfSignedTls.create(dir);
    HttpOptimizer http = plain();
    HttpClient client =
        NettyHttpClient.builder(http)
            .version(HttpClient.Version.HTTP_2)
            .sslContext(tls.client)
            .build();
    h2 = MockHttpServer.http2(tls.server, 100);
    h2.dispatcher(r -> ok("h2 " + r.path()));
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      calls.add(async(client, HttpRequest.newBuilder(h2.url("/t" + i)).build()));
    }
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r = calls.get(i).get(10, TimeUnit.SECONDS);
      assertThat(r.body()).isEqualTo("h2 /t" + i);
      assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
    }
    assertThat(h2.connectionCount()).isEqualTo(1);

    try (MockHttpServer http1Only = new MockHttpServer(tls.server)) {
      http1Only.dispatcher(r -> ok("h1 " + r.path()));
      HttpResponse<String> r = get(client, http1Only.url("/old"));
      assertThat(r.body()).isEqualTo("h1 /old");
      assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
      assertThat(get(client, http1Only.url("/again")).body()).isEqualTo("h1 /again");
    }
  }

  @Test
  void openConnectionsCountTheHttp2ConnectionByState() throws Exception {
    h2 = MockHttpServer.http2(null, 100);
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    OpenTelemetrySdk otel =
        OpenTelemetrySdk.builder()
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build())
            .build();
    optimizer = Optimizer.builder().openTelemetry(otel).manualTuning().build();
    HttpClient client = http2(HttpOptimizer.create(optimizer));
    CompletableFuture<Void> release = new CompletableFuture<>();
    h2.dispatcher(r -> ok("x").gate(release));

    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(async(client, HttpRequest.newBuilder(h2.url("/o" + i)).build()));
    }
    Await.until(() -> h2.requestCount() == 3, "three streams reach the server");
    assertThat(openConnections(reader)).isEqualTo(Map.of("active", 1L, "idle", 0L));
    release.complete(null);
    for (CompletableFuture<HttpResponse<String>> c : calls) {
      c.get(10, TimeUnit.SECONDS);
    }
    Await.until(
        () -> openConnections(reader).equals(Map.of("active", 0L, "idle", 1L)),
        "the connection is idle once its streams ended");
  }

  private static Map<String, Long> openConnections(InMemoryMetricReader reader) {
    Map<String, Long> byState = new HashMap<>();
    reader.collectAllMetrics().stream()
        .filter(m -> m.getName().equals("http.client.open_connections"))
        .flatMap(m -> m.getLongSumData().getPoints().stream())
        .forEach(
            p ->
                byState.merge(
                    p.getAttributes().get(AttributeKey.stringKey("http.connection.state")),
                    p.getValue(),
                    Long::sum));
    return byState;
  }
}
