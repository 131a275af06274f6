package dev.optimizer.http;

import static dev.optimizer.http.MockHttpServer.Response.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.optimizer.http.netty.NettyHttpClient;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.http.HttpClient;
import java.time.Duration;
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
}
