package dev.optimizer.http;

import dev.optimizer.http.netty.NettyHttpClient;
import java.net.http.HttpClient;
import org.junit.jupiter.api.AfterEach;

/**
 * For content-coding tests on the Netty transport: a loopback server for either HTTP version, and a
 * client with every step off but the body cap (1 MiB), so that only the decoding is exercised.
 */
abstract class DecodingFixture extends HttpFixture {
  private MockHttpServer h2;

  @AfterEach
  void stopHttp2Server() {
    if (h2 != null) {
      h2.close();
    }
  }

  /** The HTTP/1.1 server of the fixture, or a fresh HTTP/2 (h2c) one. */
  protected MockHttpServer target(HttpClient.Version version) throws InterruptedException {
    if (version == HttpClient.Version.HTTP_1_1) {
      return server;
    }
    h2 = MockHttpServer.http2(null, 100);
    return h2;
  }

  /** A Netty client of {@code version} with the steps off and a 1 MiB body cap. */
  protected HttpClient client(HttpClient.Version version) {
    HttpOptimizer http =
        nothingRepeated(realOptimizer()).cache(false).maxResponseBodyBytes(1 << 20).build();
    return NettyHttpClient.builder(http).version(version).build();
  }
}
