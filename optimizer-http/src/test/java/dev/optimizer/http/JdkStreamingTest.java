package dev.optimizer.http;

import static dev.optimizer.http.MockHttpServer.Response.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.optimizer.runtime.Optimizer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A wrapper never turns a working call into a failing one: through the wrapped JDK {@link
 * HttpClient}, a stream that never ends (server-sent events, NDJSON) reaches the caller as it
 * arrives, and a body over {@code maxResponseBodyBytes} reaches it whole, against a real server on
 * loopback. Such a body is the one caller's: never cached or shared with a coalesced caller, and
 * closing the caller's stream releases the connection.
 */
class JdkStreamingTest extends HttpFixture {
  private static final Duration PROMPTLY = Duration.ofSeconds(5);
  private static final int MAX = 1024;

  private HttpClient wrapped() {
    return HttpOptimizer.builder(realOptimizer()).maxResponseBodyBytes(MAX).build().wrap(raw);
  }

  private static HttpRequest request(java.net.URI uri) {
    return HttpRequest.newBuilder(uri).build();
  }

  /** Sends with the blocking {@code send} (first attempt on this thread) or with sendAsync. */
  private static <T> HttpResponse<T> call(
      HttpClient client, String how, HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws Exception {
    return how.equals("send")
        ? client.send(request, handler)
        : client.sendAsync(request, handler).get(PROMPTLY.toSeconds(), TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @ValueSource(strings = {"send", "sendAsync"})
  void anEventStreamReachesTheCallerWhileItIsStillOpen(String how) {
    server.enqueue(
        ok("data: a\n\n").header("Content-Type", "text/event-stream").chunked(false)); // endless
    HttpClient client = wrapped();

    String first =
        assertTimeoutPreemptively(
            PROMPTLY,
            () -> {
              HttpResponse<Stream<String>> response =
                  call(
                      client,
                      how,
                      request(server.url("/events")),
                      HttpResponse.BodyHandlers.ofLines());
              try (Stream<String> lines = response.body()) {
                return lines.findFirst().orElseThrow();
              }
            });
    assertThat(first).isEqualTo("data: a");
  }

  @Test
  void anNdjsonStreamReachesTheCallerWhileItIsStillOpen() {
    server.enqueue(ok("{\"n\":1}\n").header("Content-Type", "application/x-ndjson").chunked(false));
    HttpClient client = wrapped();

    String first =
        assertTimeoutPreemptively(
            PROMPTLY,
            () -> {
              HttpResponse<Stream<String>> response =
                  client.send(request(server.url("/ndjson")), HttpResponse.BodyHandlers.ofLines());
              try (Stream<String> lines = response.body()) {
                return lines.findFirst().orElseThrow();
              }
            });
    assertThat(first).isEqualTo("{\"n\":1}");
  }

  @ParameterizedTest
  @ValueSource(strings = {"send", "sendAsync"})
  void aDeclaredLengthOverTheCapArrivesWhole(String how) throws Exception {
    byte[] big = randomBytes(50 * MAX);
    server.enqueue(ok("").body(big));

    HttpResponse<byte[]> response =
        call(wrapped(), how, request(server.url("/big")), HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo(big);
  }

  @ParameterizedTest
  @ValueSource(strings = {"send", "sendAsync"})
  void aChunkedBodyGrowingPastTheCapArrivesWhole(String how) throws Exception {
    byte[] big = randomBytes(200 * MAX);
    server.enqueue(ok("").body(big).chunked(true));

    HttpResponse<byte[]> response =
        call(wrapped(), how, request(server.url("/big")), HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.body()).isEqualTo(big);
  }

  @Test
  void aChunkedBodyUnderTheCapIsStillBufferedAndCached() throws Exception {
    server.dispatcher(r -> ok("small").header("Cache-Control", "max-age=60").chunked(true));
    HttpClient client = wrapped();

    assertThat(get(client, server.url("/small")).body()).isEqualTo("small");
    assertThat(get(client, server.url("/small")).body()).isEqualTo("small");
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void aChunkedStreamGrowingPastTheCapIsHandedOnBeforeItEnds() {
    byte[] first = randomBytes(5 * MAX);
    server.enqueue(ok("").body(first).chunked(false)); // never ends
    HttpClient client = wrapped();

    byte[] read =
        assertTimeoutPreemptively(
            PROMPTLY,
            () -> {
              HttpResponse<InputStream> response =
                  client.send(
                      request(server.url("/growing")), HttpResponse.BodyHandlers.ofInputStream());
              try (InputStream in = response.body()) {
                return in.readNBytes(first.length);
              }
            });
    assertThat(read).isEqualTo(first);
  }

  @Test
  void anUnreadStreamIsNotCached() throws Exception {
    server.dispatcher(
        r ->
            ok("data: a\n\n")
                .header("Content-Type", "text/event-stream")
                .header("Cache-Control", "max-age=60")
                .chunked(true));
    HttpClient client = wrapped();

    for (int i = 0; i < 2; i++) {
      HttpResponse<String> response =
          assertTimeoutPreemptively(PROMPTLY, () -> get(client, server.url("/events")));
      assertThat(response.body()).isEqualTo("data: a\n\n");
    }
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void anUnreadStreamIsNotSharedWithACoalescedCaller() {
    server.dispatcher(
        r -> ok("data: a\n\n").header("Content-Type", "text/event-stream").chunked(false));
    // Coalescing on (the default), and nothing that could send the request again: no hedge or
    // retry.
    HttpClient client =
        HttpOptimizer.builder(realOptimizer())
            .maxResponseBodyBytes(MAX)
            .hedging(false)
            .maxAttempts(1)
            .build()
            .wrap(raw);
    HttpRequest request = request(server.url("/events"));

    assertTimeoutPreemptively(
        PROMPTLY,
        () -> {
          // Sent together: the second joins the first in flight, and once the first's answer turns
          // out to be a stream only its caller can read, sends its own.
          CompletableFuture<HttpResponse<Stream<String>>> one =
              client.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
          CompletableFuture<HttpResponse<Stream<String>>> two =
              client.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
          for (CompletableFuture<HttpResponse<Stream<String>>> f : List.of(one, two)) {
            try (Stream<String> lines = f.get().body()) {
              assertThat(lines.findFirst()).contains("data: a");
            }
          }
        });
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void closingTheCallersStreamReleasesTheConnection() {
    MockHttpServer.Response endless =
        ok("x".repeat(1000)).header("Content-Type", "text/event-stream").drip(1000, 20);
    server.enqueue(endless);
    HttpClient client = wrapped();

    assertTimeoutPreemptively(
        PROMPTLY,
        () -> {
          HttpResponse<InputStream> response =
              client.send(
                  request(server.url("/events")), HttpResponse.BodyHandlers.ofInputStream());
          InputStream in = response.body();
          assertThat(in.read()).isEqualTo('x');
          in.close();
          // The server sees the connection close long before its 20 s body would have ended.
          assertThat(endless.dripped.get()).isFalse();
        });
  }

  @Test
  void cancellingTheCallersSubscriptionReleasesTheConnection() {
    MockHttpServer.Response endless =
        ok("x".repeat(1000)).header("Content-Type", "application/x-ndjson").drip(1000, 20);
    server.enqueue(endless);
    HttpClient client = wrapped();

    assertTimeoutPreemptively(
        PROMPTLY,
        () -> {
          HttpResponse<Flow.Publisher<List<ByteBuffer>>> response =
              client
                  .sendAsync(
                      request(server.url("/events")), HttpResponse.BodyHandlers.ofPublisher())
                  .get();
          CompletableFuture<List<ByteBuffer>> first = FirstItem.thenCancel(response.body());
          assertThat(first.get()).isNotEmpty();
          assertThat(endless.dripped.get()).isFalse();
        });
  }

  @Test
  void cancellingTheCallersFutureWhileTheBodyArrivesReleasesTheConnection() {
    MockHttpServer.Response slow =
        ok("x".repeat(1000)).header("Content-Type", "text/event-stream").drip(1000, 20);
    server.enqueue(slow);
    HttpClient client = wrapped();

    assertTimeoutPreemptively(
        PROMPTLY,
        () -> {
          // ofString completes only with the whole body, so the future is pending while it streams.
          CompletableFuture<HttpResponse<String>> response =
              client.sendAsync(
                  request(server.url("/events")), HttpResponse.BodyHandlers.ofString());
          server.takeRequest();
          response.cancel(true);
          assertThat(slow.dripped.get()).isFalse();
        });
  }

  @Test
  void aStreamIsInTheMetricsOnceItsHeadArrived() throws Exception {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    OpenTelemetrySdk otel =
        OpenTelemetrySdk.builder()
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build())
            .build();
    optimizer = Optimizer.builder().openTelemetry(otel).manualTuning().build();
    HttpClient client =
        HttpOptimizer.builder(optimizer).maxResponseBodyBytes(MAX).build().wrap(raw);
    server.enqueue(ok("data: a\n\n").header("Content-Type", "text/event-stream").chunked(false));

    assertTimeoutPreemptively(
        PROMPTLY,
        () -> {
          try (Stream<String> lines =
              client
                  .send(request(server.url("/events")), HttpResponse.BodyHandlers.ofLines())
                  .body()) {
            assertThat(lines.findFirst()).contains("data: a");
          }
        });
    // Recorded when the head arrived, as for the Spring adapters: the stream may never end.
    var points =
        reader.collectAllMetrics().stream()
            .filter(m -> m.getName().equals("http.client.request.duration"))
            .findFirst()
            .orElseThrow()
            .getHistogramData()
            .getPoints();
    assertThat(points)
        .extracting(
            p -> p.getAttributes().get(AttributeKey.longKey("http.response.status_code")),
            p -> p.getCount())
        .containsExactly(org.assertj.core.groups.Tuple.tuple(200L, 1L));
    optimizer.close();
    optimizer = null;
    otel.close();
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }
}
