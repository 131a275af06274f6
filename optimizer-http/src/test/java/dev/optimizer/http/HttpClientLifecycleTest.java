package dev.optimizer.http;

import static dev.optimizer.http.MockHttpServer.Response.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.optimizer.http.netty.NettyHttpClient;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle HttpClient gained in JDK 21 — close, shutdown, shutdownNow, awaitTermination,
 * isTerminated — reaches the wrapped client: closing the wrapper shuts the JDK's client (its
 * selector thread and connections) down, and closing a Netty client releases its own transport. The
 * module compiles for Java 17, where these methods do not exist, so the tests call them by name and
 * run on JDK 21 and later.
 */
class HttpClientLifecycleTest extends HttpFixture {

  @BeforeEach
  void needsJdk21() {
    assumeTrue(Runtime.version().feature() >= 21, "HttpClient's lifecycle is JDK 21+");
  }

  private static Object call(HttpClient client, String method, Object... args) throws Exception {
    Class<?>[] types = args.length == 0 ? new Class<?>[0] : new Class<?>[] {Duration.class};
    try {
      return HttpClient.class.getMethod(method, types).invoke(client, args);
    } catch (InvocationTargetException e) {
      throw (Exception) e.getCause();
    }
  }

  @Test
  void closingTheWrapperClosesTheWrappedClient() throws Exception {
    HttpClient jdk = HttpClient.newHttpClient();
    HttpClient wrapped = nothingRepeated(realOptimizer()).build().wrap(jdk);
    server.enqueue(ok("x"));
    assertThat(get(wrapped, server.url("/x")).body()).isEqualTo("x");
    assertThat(call(wrapped, "isTerminated")).isEqualTo(false);

    ((AutoCloseable) wrapped).close();

    assertThat(call(jdk, "isTerminated")).isEqualTo(true);
    assertThat(call(wrapped, "isTerminated")).isEqualTo(true);
  }

  @Test
  void shutdownAndAwaitTerminationReachTheWrappedClient() throws Exception {
    HttpClient jdk = HttpClient.newHttpClient();
    HttpClient wrapped = nothingRepeated(realOptimizer()).build().wrap(jdk);

    call(wrapped, "shutdown");
    assertThat(call(wrapped, "awaitTermination", Duration.ofSeconds(10))).isEqualTo(true);
    assertThat(call(jdk, "isTerminated")).isEqualTo(true);

    HttpClient other = HttpClient.newHttpClient();
    call(nothingRepeated(realOptimizer()).build().wrap(other), "shutdownNow");
    assertThat(call(other, "awaitTermination", Duration.ofSeconds(10))).isEqualTo(true);
  }

  @Test
  void closingANettyClientThroughHttpClientReleasesItsTransport() throws Exception {
    HttpOptimizer http = nothingRepeated(realOptimizer()).cache(false).build();
    int heldBefore = http.held();
    server.enqueue(ok("x"));
    HttpClient closed = NettyHttpClient.builder(http).eventLoopThreads(1).build();
    assertThat(get(closed, server.url("/x")).body()).isEqualTo("x");
    assertThat(call(closed, "isTerminated")).isEqualTo(false);

    call(closed, "close"); // HttpClient.close(), as try-with-resources calls it

    assertThat(call(closed, "isTerminated")).isEqualTo(true);
    assertThat(http.held()).isEqualTo(heldBefore);
    assertThatThrownBy(() -> get(closed, server.url("/closed"))).isInstanceOf(IOException.class);

    HttpClient aborted = NettyHttpClient.builder(http).eventLoopThreads(1).build();
    call(aborted, "shutdownNow");
    assertThat(call(aborted, "awaitTermination", Duration.ofSeconds(10))).isEqualTo(true);
    assertThat(call(aborted, "isTerminated")).isEqualTo(true);
    assertThat(http.held()).isEqualTo(heldBefore);
  }

  @Test
  void shutdownLetsANettyClientsRequestsInFlightFinishThenReleasesItsTransport() throws Exception {
    HttpOptimizer http = nothingRepeated(realOptimizer()).cache(false).build();
    int heldBefore = http.held();
    HttpClient client = NettyHttpClient.builder(http).eventLoopThreads(1).build();
    // A stream: its head comes back at once, its body (4 MiB) is read only as the caller reads it.
    String events = "data: 1\n\n".repeat(1 << 19);
    server.enqueue(ok(events).header("Content-Type", "text/event-stream"));
    HttpResponse<InputStream> inFlight =
        client.send(
            HttpRequest.newBuilder(server.url("/events")).build(),
            HttpResponse.BodyHandlers.ofInputStream());

    call(client, "shutdown");

    assertThatThrownBy(() -> get(client, server.url("/new")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("shut down");
    assertThat(call(client, "isTerminated")).as("its body is still being read").isEqualTo(false);
    assertThat(call(client, "awaitTermination", Duration.ZERO)).isEqualTo(false);
    try (InputStream in = inFlight.body()) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(events);
    }
    assertThat(call(client, "awaitTermination", Duration.ofSeconds(10))).isEqualTo(true);
    assertThat(call(client, "isTerminated")).isEqualTo(true);
    assertThat(http.held()).as("the transport was released").isEqualTo(heldBefore);
    assertThat(server.requestCount()).as("the refused request was never sent").isOne();
  }

  @Test
  void shutdownWaitsForAResponseStillToComeAndDeliversIt() throws Exception {
    HttpOptimizer http = nothingRepeated(realOptimizer()).cache(false).build();
    HttpClient client = NettyHttpClient.builder(http).eventLoopThreads(1).build();
    server.enqueue(ok("late").delay(200));
    CompletableFuture<HttpResponse<String>> pending =
        client.sendAsync(
            HttpRequest.newBuilder(server.url("/slow")).build(),
            HttpResponse.BodyHandlers.ofString());
    server.takeRequest(); // on its way

    call(client, "shutdown");
    call(client, "shutdown"); // idempotent

    assertThat(pending.get(10, TimeUnit.SECONDS).body()).isEqualTo("late");
    assertThat(call(client, "awaitTermination", Duration.ofSeconds(10))).isEqualTo(true);
  }

  @Test
  void shutdownWithNothingInFlightTerminates() throws Exception {
    HttpOptimizer http = nothingRepeated(realOptimizer()).cache(false).build();
    HttpClient client = NettyHttpClient.builder(http).eventLoopThreads(1).build();
    assertThat(call(client, "awaitTermination", Duration.ofMillis(1)))
        .as("not shut down: not terminated")
        .isEqualTo(false);

    call(client, "shutdown");

    assertThat(call(client, "awaitTermination", Duration.ofSeconds(10))).isEqualTo(true);
    assertThat(call(client, "isTerminated")).isEqualTo(true);
  }
}
