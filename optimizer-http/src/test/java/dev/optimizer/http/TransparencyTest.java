package dev.optimizer.http;

import static dev.optimizer.http.MockHttpServer.Response.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.optimizer.api.Mode;
import dev.optimizer.runtime.Optimizer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The wrapped client behaves like the raw one; telemetry, settings and close() do their part. */
class TransparencyTest extends HttpFixture {

  @Test
  void everyBodyHandlerSeesTheSameResponse() throws Exception {
    HttpClient client = HttpOptimizer.create(realOptimizer()).wrap(raw);
    server.dispatcher(
        r ->
            ok("line1\nline2")
                .header("Content-Type", "text/plain; charset=utf-8")
                .header("X-A", "b"));
    HttpRequest request = HttpRequest.newBuilder(server.url("/t")).build();

    HttpResponse<String> viaRaw = raw.send(request, HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> wrapped = client.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(wrapped.statusCode()).isEqualTo(viaRaw.statusCode());
    assertThat(wrapped.body()).isEqualTo(viaRaw.body());
    assertThat(wrapped.headers().firstValue("x-a")).isEqualTo(viaRaw.headers().firstValue("x-a"));
    assertThat(wrapped.request()).isSameAs(request);
    assertThat(wrapped.uri()).isEqualTo(viaRaw.uri());
    assertThat(wrapped.version()).isEqualTo(viaRaw.version());

    assertThat(client.send(request, HttpResponse.BodyHandlers.ofByteArray()).body())
        .isEqualTo("line1\nline2".getBytes(StandardCharsets.UTF_8));
    try (InputStream in = client.send(request, HttpResponse.BodyHandlers.ofInputStream()).body()) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("line1\nline2");
    }
    assertThat(client.send(request, HttpResponse.BodyHandlers.ofLines()).body())
        .containsExactly("line1", "line2");
    assertThat(client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode())
        .isEqualTo(200);
    assertThat(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).get().body())
        .isEqualTo("line1\nline2");
    assertThat(client.followRedirects()).isEqualTo(raw.followRedirects());
    assertThat(client.version()).isEqualTo(raw.version());
  }

  @Test
  void aRedirectedResponseKeepsItsPreviousResponseAndTheRequestThatGotIt() throws Exception {
    HttpClient following =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    HttpClient client = HttpOptimizer.create(realOptimizer()).wrap(following);
    server.dispatcher(
        r ->
            r.path().equals("/from")
                ? MockHttpServer.Response.status(302).header("Location", "/to")
                : ok("arrived"));
    HttpRequest request = HttpRequest.newBuilder(server.url("/from")).build();

    HttpResponse<String> viaRaw = following.send(request, HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> wrapped = client.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(wrapped.body()).isEqualTo(viaRaw.body()).isEqualTo("arrived");
    assertThat(wrapped.uri()).isEqualTo(viaRaw.uri()).isEqualTo(server.url("/to"));
    // As the raw client reports it: the request that got this response went to the redirect's
    // target, and the 302 that led there is the previous response.
    assertThat(wrapped.request().uri()).isEqualTo(viaRaw.request().uri());
    assertThat(wrapped.previousResponse()).isPresent();
    assertThat(wrapped.previousResponse().get().statusCode()).isEqualTo(302);
    assertThat(wrapped.previousResponse().get().uri()).isEqualTo(server.url("/from"));
  }

  @Test
  void anHttpsResponseKeepsItsTlsSession(@TempDir Path dir) throws Exception {
    SelfSignedTls tls = SelfSignedTls.create(dir);
    try (MockHttpServer secure = new MockHttpServer(tls.server)) {
      secure.dispatcher(r -> ok("secret"));
      HttpClient tlsRaw =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .sslContext(tls.client)
              .build();
      HttpClient client = HttpOptimizer.create(realOptimizer()).wrap(tlsRaw);
      HttpRequest request = HttpRequest.newBuilder(secure.url("/tls")).build();

      HttpResponse<String> viaRaw = tlsRaw.send(request, HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> wrapped = client.send(request, HttpResponse.BodyHandlers.ofString());
      assertThat(viaRaw.sslSession()).isPresent();
      // An application that checks the peer's certificate (pinning, expiry alerts) reads it here.
      assertThat(wrapped.sslSession()).isPresent();
      assertThat(wrapped.sslSession().get().getPeerCertificates())
          .isEqualTo(viaRaw.sslSession().get().getPeerCertificates());
      assertThat(wrapped.request()).isSameAs(request);
      assertThat(wrapped.previousResponse()).isEmpty();
    }
  }

  @Test
  void modeOffIsAPassThrough() throws Exception {
    Optimizer off = realOptimizer();
    off.setMode(Mode.OFF);
    HttpOptimizer http = HttpOptimizer.create(off);
    HttpClient client = http.wrap(raw);
    server.dispatcher(r -> ok("x").header("Cache-Control", "max-age=600"));

    get(client, server.url("/off"));
    get(client, server.url("/off"));
    assertThat(server.requestCount()).isEqualTo(2);
    assertThat(http.stats().networkRequests()).isZero();
  }

  /** An OpenTelemetry SDK whose metrics an in-memory reader collects. */
  private static OpenTelemetrySdk sdk(InMemoryMetricReader reader) {
    return OpenTelemetrySdk.builder()
        .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build())
        .build();
  }

  @Test
  void telemetryKeepsEachOutcomeOfAHostApart() throws Exception {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    OpenTelemetrySdk otel = sdk(reader);
    optimizer = Optimizer.builder().openTelemetry(otel).manualTuning().build();
    HttpClient client = HttpOptimizer.builder(optimizer).maxAttempts(1).build().wrap(raw);
    server.dispatcher(
        r ->
            (r.path().startsWith("/missing") ? MockHttpServer.Response.status(404) : ok("x"))
                .header("Cache-Control", "no-store"));

    get(client, server.url("/found"));
    get(client, server.url("/missing"));
    get(client, server.url("/found"));
    client.send(
        HttpRequest.newBuilder(server.url("/found"))
            .method("HEAD", HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.discarding());

    var points =
        reader.collectAllMetrics().stream()
            .filter(m -> m.getName().equals("http.client.request.duration"))
            .findFirst()
            .orElseThrow()
            .getHistogramData()
            .getPoints();
    assertThat(points)
        .extracting(
            p -> p.getAttributes().get(AttributeKey.stringKey("http.request.method")),
            p -> p.getAttributes().get(AttributeKey.longKey("http.response.status_code")),
            p -> p.getAttributes().get(AttributeKey.stringKey("error.type")),
            p -> p.getCount())
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("GET", 200L, null, 2L),
            org.assertj.core.groups.Tuple.tuple("GET", 404L, "404", 1L),
            org.assertj.core.groups.Tuple.tuple("HEAD", 200L, null, 1L));
    optimizer.close();
    otel.close();
  }

  @Test
  void aRequestIsInTheMetricsOnceItsCallerHasTheResponse() {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    OpenTelemetrySdk otel = sdk(reader);
    optimizer = Optimizer.builder().openTelemetry(otel).manualTuning().build();
    HttpClient client = HttpOptimizer.builder(optimizer).maxAttempts(1).build().wrap(raw);
    server.dispatcher(r -> ok("x").header("Cache-Control", "no-store"));
    HttpRequest request = HttpRequest.newBuilder(server.url("/now")).build();

    for (long i = 1; i <= 3; i++) {
      // Read the moment the response is handed over, on the thread that hands it over...
      long seen =
          client
              .sendAsync(request, HttpResponse.BodyHandlers.ofString())
              .thenApply(response -> recordedRequests(reader))
              .join();
      assertThat(seen).isEqualTo(i);
      assertThat(recordedRequests(reader)).isEqualTo(i); // ...and right after join()
    }
    optimizer.close();
    otel.close();
  }

  private static long recordedRequests(InMemoryMetricReader reader) {
    return reader.collectAllMetrics().stream()
        .filter(m -> m.getName().equals("http.client.request.duration"))
        .flatMap(m -> m.getHistogramData().getPoints().stream())
        .mapToLong(p -> p.getCount())
        .sum();
  }

  @Test
  void telemetryFollowsTheSemanticConventionsAndRecordsNoSecrets() throws Exception {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    OpenTelemetrySdk otel = sdk(reader);
    optimizer = Optimizer.builder().openTelemetry(otel).manualTuning().build();
    HttpClient client = HttpOptimizer.create(optimizer).wrap(raw);
    server.dispatcher(r -> ok("x").header("Cache-Control", "max-age=600"));

    get(client, server.url("/m?token=s3cret"), "Authorization", "Bearer s3cret");
    get(client, server.url("/m?token=s3cret"), "Authorization", "Bearer s3cret");

    Collection<MetricData> metrics = reader.collectAllMetrics();
    MetricData duration =
        metrics.stream()
            .filter(m -> m.getName().equals("http.client.request.duration"))
            .findFirst()
            .orElseThrow();
    assertThat(duration.getUnit()).isEqualTo("s");
    var point = duration.getHistogramData().getPoints().iterator().next();
    assertThat(point.getCount()).isEqualTo(1); // the second request was a cache hit
    assertThat(point.getAttributes().get(AttributeKey.stringKey("http.request.method")))
        .isEqualTo("GET");
    assertThat(point.getAttributes().get(AttributeKey.stringKey("server.address")))
        .isEqualTo("127.0.0.1");
    assertThat(point.getAttributes().get(AttributeKey.longKey("server.port")))
        .isEqualTo((long) server.port());
    assertThat(point.getAttributes().get(AttributeKey.longKey("http.response.status_code")))
        .isEqualTo(200L);
    assertThat(metrics.stream().map(MetricData::getName).collect(Collectors.toSet()))
        .contains(
            "http.client.active_requests",
            "optimizer.http.cache.hits",
            "optimizer.http.cache.misses",
            "optimizer.http.coalesced",
            "optimizer.http.hedge.sent",
            "optimizer.http.hedge.won",
            "optimizer.http.retries",
            "optimizer.limiter.limit");
    assertThat(metrics.toString()).doesNotContain("s3cret");
    optimizer.close();
    otel.close();
  }

  @Test
  void badSettingsAreRefusedWithTheSettingTheRangeAndTheValue() {
    HttpOptimizerBuilder b = HttpOptimizer.builder(realOptimizer());
    assertThatThrownBy(() -> b.budgetRatio(1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("budgetRatio must be in [0.0, 1.0], but was 1.5");
    assertThatThrownBy(() -> b.cacheMaxBytes(10))
        .hasMessage("cacheMaxBytes must be in [1024, 1099511627776], but was 10");
    assertThatThrownBy(() -> b.maxHedges(0)).hasMessage("maxHedges must be in [1, 5], but was 0");
    assertThatThrownBy(() -> b.name("has space")).hasMessageContaining("but was 'has space'");
    b.minLimit(10).maxLimit(5);
    assertThatThrownBy(b::build).hasMessage("minLimit must be <= maxLimit (5), but was 10");
    HttpOptimizerBuilder c = HttpOptimizer.builder(optimizer).hedging(true);
    assertThatThrownBy(() -> c.hedging(false)).hasMessage("hedging was already set");
  }

  @Test
  void closeStopsTheTimerThreadAndRefusesNewWrappers() throws Exception {
    HttpOptimizer http = HttpOptimizer.builder(realOptimizer()).name("closing").build();
    server.enqueue(ok("x"));
    http.wrap(raw)
        .send(
            HttpRequest.newBuilder(server.url("/c")).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.discarding()); // a timeout starts the timer thread
    assertThat(threadNamed("optimizer-http-timer-closing")).isTrue();

    optimizer.close(); // closes the HttpOptimizer with it
    assertThat(http.isClosed()).isTrue();
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (threadNamed("optimizer-http-timer-closing") && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(threadNamed("optimizer-http-timer-closing")).isFalse();
    assertThatThrownBy(() -> http.wrap(raw)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aRequestAfterCloseFailsWithAnIoErrorBeforeItIsSent() throws Exception {
    HttpOptimizer http = HttpOptimizer.create(realOptimizer());
    HttpClient client = http.wrap(raw);
    http.close();
    server.dispatcher(r -> ok("not sent"));
    HttpRequest timed =
        HttpRequest.newBuilder(server.url("/timed")).timeout(Duration.ofSeconds(5)).build();

    assertThatThrownBy(() -> client.send(timed, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("HttpOptimizer is closed");
    CompletableFuture<HttpResponse<String>> async =
        client.sendAsync(timed, HttpResponse.BodyHandlers.ofString());
    assertThatThrownBy(() -> async.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(IOException.class);
    assertThatThrownBy(() -> get(client, server.url("/untimed")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("HttpOptimizer is closed");
    assertThat(server.requestCount()).isZero();
  }

  private static boolean threadNamed(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals(name) && t.isAlive());
  }
}
