package dev.optimizer.http.internal;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.util.Map;

/** The plainest pipeline call and reply, for tests of one step at a time. */
public final class TestCalls {
  private static final HttpHeaders NO_HEADERS = HttpHeaders.of(Map.of(), (a, b) -> true);

  private TestCalls() {}

  /** A GET of {@code url} with no headers, no body and no deadline. */
  public static HttpCall get(URI url) {
    return new HttpCall("GET", url, NO_HEADERS, false, null, Long.MAX_VALUE, Map.of(), "");
  }

  /** A 200 with no headers and an empty body, from the network, over HTTP/1.1. */
  public static Reply ok(URI url) {
    return new Reply(
        200, NO_HEADERS, new byte[0], HttpClient.Version.HTTP_1_1, url, 0, 0, Reply.Source.NETWORK);
  }
}
