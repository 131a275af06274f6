package dev.optimizer.http;

import static dev.optimizer.http.MockHttpServer.Response.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.optimizer.http.netty.NettyHttpClient;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Netty transport hands a stream (server-sent events, NDJSON) and a body over {@code
 * maxResponseBodyBytes} to the caller as they arrive, at the pace the caller reads, as the wrapped
 * JDK client does ({@link JdkStreamingTest}); over HTTP/1.1 and HTTP/2, against real servers on
 * loopback. Such a body is the one caller's (never cached or shared with a coalesced caller);
 * closing the caller's stream, cancelling its subscription or its {@code sendAsync} future closes
 * the connection (resets the stream) and frees its slot, and a body read to its end leaves the
 * connection to the next request. Ordinary bodies are buffered, cached and shared as before.
 */
class NettyStreamingTest extends HttpFixture {
  private static final Duration PROMPTLY = Duration.ofSeconds(5);
  private static final int MAX = 1024;
  private MockHttpServer h2;

  @AfterEach
  void stopHttp2Server() {
    if (h2 != null) {
      h2.close();
    }
  }

  /** The HTTP/1.1 server of the fixture, or a fresh HTTP/2 (h2c) one. */
  private MockHttpServer target(HttpClient.Version version) throws InterruptedException {
    if (version == HttpClient.Version.HTTP_1_1) {
      return server;
    }
    h2 = MockHttpServer.http2(null, 100);
    return h2;
  }

  /** Every step on (the defaults) but hedging, a 1 KiB body cap, at most one connection. */
  private HttpClient netty(HttpClient.Version version) {
    HttpOptimizer http =
        HttpOptimizer.builder(realOptimizer()).maxResponseBodyBytes(MAX).hedging(false).build();
    return netty(http, version);
  }

  private static HttpClient netty(HttpOptimizer http, HttpClient.Version version) {
    return NettyHttpClient.builder(http).version(version).maxConnectionsPerOrigin(1).build();
  }

  private static HttpRequest request(java.net.URI uri) {
    return HttpRequest.newBuilder(uri).build();
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void anEndlessEventStreamIsReadLineByLineAsItsEventsAreSent(HttpClient.Version version)
      throws Exception {
    MockHttpServer s = target(version);
    MockHttpServer.Response events = ok("").header("Content-Type", "text/event-stream").live();
    s.enqueue(events);
    s.enqueue(ok("after"));
    HttpClient client = netty(version);

    assertTimeoutPreemptively(
        PROMPTLY,
        () -> {
          HttpResponse<Stream<String>> response =
              client.send(request(s.url("/events")), HttpResponse.BodyHandlers.ofLines());
          assertThat(response.statusCode()).isEqualTo(200);
          try (Stream<String> lines = response.body()) {
            Iterator<String> it = lines.iterator();
            for (int i = 0; i < 3; i++) {
              events.send("data: " + i + "\n\n"); // each event reaches the caller before the next
              assertThat(it.next()).isEqualTo("data: " + i);
              assertThat(it.next()).isEmpty();
            }
          }
          events.hungUp.get(); // closing the stream closed the connection (or reset the stream)
          // The one connection's slot is free again: the next request is answered.
          assertThat(get(client, s.url("/after")).body()).isEqualTo("after");
        });
    if (version == HttpClient.Version.HTTP_1_1) {
      assertThat(s.connectionCount()).as("closed mid-body, not reused").isEqualTo(2);
    } else {
      assertThat(s.connectionCount()).as("only the stream was reset").isEqualTo(1);
    }
  }

  @Test
  void anEventStreamOverTlsIsReadAsItArrives(@TempDir Path dir) throws Exception {
    SelfSignedTls tls = SelfSignedTls.create(dir);
    try (MockHttpServer secure = new MockHttpServer(tls.server)) {
      MockHttpServer.Response events = ok("").header("Content-Type", "text/event-stream").live();
      secure.enqueue(events);
      secure.enqueue(ok("after"));
      HttpOptimizer http =
          HttpOptimizer.builder(realOptimizer()).maxResponseBodyBytes(MAX).hedging(false).build();
      HttpClient client =
          NettyHttpClient.builder(http).sslContext(tls.client).maxConnectionsPerOrigin(1).build();

      assertTimeoutPreemptively(
          PROMPTLY,
          () -> {
            HttpResponse<Stream<String>> response =
                client.send(request(secure.url("/events")), HttpResponse.BodyHandlers.ofLines());
            try (Stream<String> lines = response.body()) {
              Iterator<String> it = lines.iterator();
              for (int i = 0; i < 3; i++) {
                events.send("data: " + "x".repeat(i * 5000) + "\n\n"); // up to several records
                assertThat(it.next()).isEqualTo("data: " + "x".repeat(i * 5000));
                assertThat(it.next()).isEmpty();
              }
            }
            events.hungUp.get();
            assertThat(get(client, secure.url("/after")).body()).isEqualTo("after");
          });
    }
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void aGzippedEventStreamIsDecodedAsItArrives(HttpClient.Version version) throws Exception {
    MockHttpServer s = target(version);
    MockHttpServer.Response events =
        ok("")
            .header("Content-Type", "text/event-stream")
            .header("Content-Encoding", "gzip")
            .live();
    s.enqueue(events);
    HttpClient client = netty(version);
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    GZIPOutputStream gzip = new GZIPOutputStream(wire, true); // each flush ends a deflate block

    assertTimeoutPreemptively(
        PROMPTLY,
        () -> {
          HttpResponse<Stream<String>> response =
              client.send(request(s.url("/events")), HttpResponse.BodyHandlers.ofLines());
          assertThat(response.headers().firstValue("content-encoding")).isEmpty();
          try (Stream<String> lines = response.body()) {
            Iterator<String> it = lines.iterator();
            for (int i = 0; i < 3; i++) {
              gzip.write(("data: zipped " + i + "\n\n").getBytes(StandardCharsets.UTF_8));
              gzip.flush();
              events.send(wire.toByteArray());
              wire.reset();
              assertThat(it.next()).isEqualTo("data: zipped " + i);
              assertThat(it.next()).isEmpty();
            }
          }
        });
    assertThat(s.takeRequest().header("accept-encoding")).contains("gzip");
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void aBodyOverTheCapDownloadsWholeThroughAnInputStream(HttpClient.Version version)
      throws Exception {
    MockHttpServer s = target(version);
    byte[] big = randomBytes(2 << 20); // 2 MiB against a cap of 1 KiB
    s.dispatcher(r -> r.path().equals("/big") ? ok("").body(big) : ok("next"));
    HttpClient client = netty(version);

    HttpResponse<InputStream> response =
        client.send(request(s.url("/big")), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = response.body()) {
      assertThat(in.readAllBytes()).isEqualTo(big);
    }
    assertThat(response.headers().firstValueAsLong("content-length")).hasValue(big.length);
    // Read to its end, the body leaves its connection to the next request.
    assertThat(get(client, s.url("/next")).body()).isEqualTo("next");
    assertThat(s.connectionCount()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void aChunkedBodyGrowingPastTheCapArrivesWhole(HttpClient.Version version) throws Exception {
    MockHttpServer s = target(version);
    byte[] big = randomBytes(200 * MAX);
    s.dispatcher(r -> r.path().equals("/big") ? ok("").body(big).chunked(true) : ok("next"));
    HttpClient client = netty(version);

    HttpResponse<byte[]> response =
        client.send(request(s.url("/big")), HttpResponse.BodyHandlers.ofByteArray());

    assertThat(response.body()).isEqualTo(big);
    assertThat(get(client, s.url("/next")).body()).isEqualTo("next");
    assertThat(s.connectionCount()).isEqualTo(1);
  }

  @Test
  void aChunkedBodyThatNeverEndsIsHandedOnOnceItOutgrowsTheCap() throws Exception {
    byte[] first = randomBytes(5 * MAX);
    server.enqueue(ok("").body(first).chunked(false)); // never ends
    HttpClient client = netty(HttpClient.Version.HTTP_1_1);

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

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void cancellingSendAsyncMidStreamClosesTheConnection(HttpClient.Version version)
      throws Exception {
    MockHttpServer s = target(version);
    MockHttpServer.Response slow =
        ok("x".repeat(1000)).header("Content-Type", "text/event-stream").drip(1000, 20);
    s.enqueue(slow);
    s.enqueue(ok("after"));
    HttpClient client = netty(version);
    CompletableFuture<Void> firstBytes = new CompletableFuture<>();

    assertTimeoutPreemptively(
        PROMPTLY,
        () -> {
          // ofString completes only with the whole body, so the future is pending while it streams;
          // the caller has had some of it when it gives up.
          CompletableFuture<HttpResponse<String>> response =
              client.sendAsync(
                  request(s.url("/events")),
                  info ->
                      new FirstBytes<>(
                          HttpResponse.BodySubscribers.ofString(StandardCharsets.UTF_8),
                          firstBytes));
          firstBytes.get();
          response.cancel(true);
          // The server sees the connection (stream) close long before its 20 s body would end.
          assertThat(slow.dripped.get()).isFalse();
          assertThat(get(client, s.url("/after")).body()).isEqualTo("after");
        });
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void cancellingTheCallersSubscriptionReleasesTheConnection(HttpClient.Version version)
      throws Exception {
    MockHttpServer s = target(version);
    MockHttpServer.Response endless =
        ok("x".repeat(1000)).header("Content-Type", "application/x-ndjson").drip(1000, 20);
    s.enqueue(endless);
    s.enqueue(ok("after"));
    HttpClient client = netty(version);

    assertTimeoutPreemptively(
        PROMPTLY,
        () -> {
          HttpResponse<Flow.Publisher<List<ByteBuffer>>> response =
              client
                  .sendAsync(request(s.url("/events")), HttpResponse.BodyHandlers.ofPublisher())
                  .get();
          CompletableFuture<List<ByteBuffer>> first = FirstItem.thenCancel(response.body());
          assertThat(first.get()).isNotEmpty();
          assertThat(endless.dripped.get()).isFalse();
          assertThat(get(client, s.url("/after")).body()).isEqualTo("after");
        });
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void anUnreadStreamIsNeitherCachedNorShared(HttpClient.Version version) throws Exception {
    MockHttpServer s = target(version);
    s.dispatcher(
        r ->
            ok("data: a\n\n")
                .header("Content-Type", "text/event-stream")
                .header("Cache-Control", "max-age=60")
                .chunked(true));
    HttpOptimizer http =
        HttpOptimizer.builder(realOptimizer())
            .maxResponseBodyBytes(MAX)
            .hedging(false)
            .maxAttempts(1)
            .build();
    HttpClient client = NettyHttpClient.builder(http).version(version).build();

    assertTimeoutPreemptively(
        PROMPTLY,
        () -> {
          for (int i = 0; i < 2; i++) {
            assertThat(get(client, s.url("/events")).body()).isEqualTo("data: a\n\n");
          }
          // Sent together: the second joins the first in flight, and once the first's answer
          // turns out to be a stream only its caller can read, sends its own.
          CompletableFuture<HttpResponse<String>> one =
              client.sendAsync(request(s.url("/events")), HttpResponse.BodyHandlers.ofString());
          CompletableFuture<HttpResponse<String>> two =
              client.sendAsync(request(s.url("/events")), HttpResponse.BodyHandlers.ofString());
          assertThat(one.get().body()).isEqualTo("data: a\n\n");
          assertThat(two.get().body()).isEqualTo("data: a\n\n");
        });
    assertThat(s.requestCount()).isEqualTo(4);
    assertThat(http.stats().cacheHits()).isZero();
  }

  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void ordinaryBodiesAreStillBufferedCachedAndShared(HttpClient.Version version) throws Exception {
    MockHttpServer s = target(version);
    CompletableFuture<Void> joined = new CompletableFuture<>();
    s.dispatcher(
        r ->
            switch (r.path()) {
              case "/sized" -> ok("sized").header("Cache-Control", "max-age=60");
              case "/chunked" -> ok("chunked").header("Cache-Control", "max-age=60").chunked(true);
              default -> ok("shared").header("Cache-Control", "no-store").gate(joined);
            });
    HttpOptimizer http =
        HttpOptimizer.builder(realOptimizer()).maxResponseBodyBytes(MAX).hedging(false).build();
    HttpClient client = netty(http, version);

    for (String path : List.of("/sized", "/chunked")) {
      for (int i = 0; i < 2; i++) {
        HttpResponse<String> r = get(client, s.url(path));
        assertThat(r.body()).isEqualTo(path.substring(1));
        // buffered: the length is known, as the aggregator has always set it
        assertThat(r.headers().firstValueAsLong("content-length")).hasValue(path.length() - 1);
      }
    }
    assertThat(http.stats().cacheHits()).isEqualTo(2);

    CompletableFuture<HttpResponse<String>> leader =
        client.sendAsync(request(s.url("/shared")), HttpResponse.BodyHandlers.ofString());
    s.takeRequest();
    s.takeRequest();
    s.takeRequest(); // the two cacheable paths, then the shared one, held at the server
    CompletableFuture<HttpResponse<String>> joiner =
        client.sendAsync(request(s.url("/shared")), HttpResponse.BodyHandlers.ofString());
    assertThat(http.stats().coalesced()).isEqualTo(1);
    joined.complete(null);
    assertThat(leader.get(10, TimeUnit.SECONDS).body()).isEqualTo("shared");
    assertThat(joiner.get(10, TimeUnit.SECONDS).body()).isEqualTo("shared");
    assertThat(s.requestCount()).isEqualTo(3);
    assertThat(s.connectionCount()).isEqualTo(1);
  }

  /** A body subscriber that says when its first bytes arrive, and otherwise is {@code inner}. */
  private static final class FirstBytes<T> implements HttpResponse.BodySubscriber<T> {
    private final HttpResponse.BodySubscriber<T> inner;
    private final CompletableFuture<Void> first;

    FirstBytes(HttpResponse.BodySubscriber<T> inner, CompletableFuture<Void> first) {
      this.inner = inner;
      this.first = first;
    }

    @Override
    public CompletionStage<T> getBody() {
      return inner.getBody();
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      inner.onSubscribe(subscription);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
      inner.onNext(item);
      first.complete(null);
    }

    @Override
    public void onError(Throwable throwable) {
      inner.onError(throwable);
    }

    @Override
    public void onComplete() {
      inner.onComplete();
    }
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }
}
