package dev.optimizer.http;

import static dev.optimizer.http.MockHttpServer.Response.ok;
import static dev.optimizer.http.MockHttpServer.Response.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.http.netty.NettyHttpClient;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Interim (1xx) responses such as 103 Early Hints precede the final response on the Netty
 * transport; the caller gets the final one, over HTTP/1.1 and HTTP/2 alike.
 */
class InterimResponsesTest extends HttpFixture {
  private MockHttpServer h2;

  @AfterEach
  void stopHttp2Server() {
    if (h2 != null) {
      h2.close();
    }
  }

  private HttpClient netty(HttpClient.Version version) {
    return NettyHttpClient.builder(nothingRepeated(realOptimizer()).cache(false).build())
        .version(version)
        .build();
  }

  private static MockHttpServer.Response earlyHintsThenOk() {
    return ok("ok")
        .interim(status(103).header("Link", "</style.css>; rel=preload; as=style"))
        .header("Link", "</style.css>; rel=preload; as=style");
  }

  @Test
  void http2EarlyHintsAreSkipped() throws Exception {
    h2 = MockHttpServer.http2(null, 100);
    h2.dispatcher(r -> earlyHintsThenOk());
    HttpClient client = netty(HttpClient.Version.HTTP_2);

    for (int i = 0; i < 2; i++) {
      HttpResponse<String> r = get(client, h2.url("/hints"));
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("ok");
    }
    assertThat(h2.requestCount()).isEqualTo(2);
  }

  @Test
  void http11EarlyHintsAreSkippedAndTheConnectionStaysInStep() throws Exception {
    server.dispatcher(r -> r.path().equals("/hints") ? earlyHintsThenOk() : ok("next"));
    HttpClient client = netty(HttpClient.Version.HTTP_1_1);

    HttpResponse<String> r = get(client, server.url("/hints"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("ok");
    // The same keep-alive connection answers the next request with its own response.
    assertThat(get(client, server.url("/next")).body()).isEqualTo("next");
    assertThat(server.connectionCount()).isEqualTo(1);
  }
}
