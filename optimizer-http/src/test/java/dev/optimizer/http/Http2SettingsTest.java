package dev.optimizer.http;

import static dev.optimizer.http.MockHttpServer.Response.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.http.netty.NettyHttpClient;
import io.netty.handler.codec.http2.Http2Settings;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The server's SETTINGS over the life of an HTTP/2 connection: a later SETTINGS frame changes only
 * the parameters it carries (RFC 9113 §6.5), so one without MAX_CONCURRENT_STREAMS keeps the limit.
 */
class Http2SettingsTest extends HttpFixture {
  private MockHttpServer h2;

  @AfterEach
  void stopHttp2Server() {
    if (h2 != null) {
      h2.close();
    }
  }

  @Test
  void aLaterSettingsFrameWithoutTheStreamLimitKeepsIt() throws Exception {
    h2 = MockHttpServer.http2(null, 1);
    CompletableFuture<Void> release = new CompletableFuture<>();
    h2.dispatcher(
        r ->
            r.path().equals("/slow")
                ? ok("slow")
                    .settingsOnArrival(new Http2Settings().initialWindowSize(1 << 20))
                    .gate(release)
                : ok("second"));
    HttpClient client =
        NettyHttpClient.builder(
                nothingRepeated(realOptimizer()).cache(false).maxResponseBodyBytes(1 << 20).build())
            .version(HttpClient.Version.HTTP_2)
            .maxConnectionsPerOrigin(1)
            .build();

    CompletableFuture<HttpResponse<String>> slow =
        client.sendAsync(
            HttpRequest.newBuilder(h2.url("/slow")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(h2.takeRequest().path()).isEqualTo("/slow");
    // The client acknowledges the second SETTINGS after it applied it.
    Await.until(() -> h2.settingsAcks() == 2, "the client's ack of the second SETTINGS");
    CompletableFuture<HttpResponse<String>> second =
        client.sendAsync(
            HttpRequest.newBuilder(h2.url("/second")).build(),
            HttpResponse.BodyHandlers.ofString());
    // The second must wait for the first's stream: it opens one only if the limit was lost.
    release.completeOnTimeout(null, 300, TimeUnit.MILLISECONDS);

    assertThat(slow.get(10, TimeUnit.SECONDS).body()).isEqualTo("slow");
    assertThat(second.get(10, TimeUnit.SECONDS).body()).isEqualTo("second");
    assertThat(h2.maxInFlight()).isEqualTo(1);
    assertThat(h2.connectionCount()).isEqualTo(1);
  }
}
