package dev.optimizer.http.internal;

import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.Locale;
import java.util.Map;

/**
 * One logical request as the pipeline sees it: transport-neutral fields, plus the adapter's own
 * request object that the transport sends. Immutable.
 *
 * @param method the method, upper case
 * @param uri the target URI
 * @param headers the request header fields the application set
 * @param hasBody whether the request carries a body
 * @param nativeRequest the adapter's request (a {@code java.net.http.HttpRequest} for the JDK)
 * @param deadlineNanos ticker reading after which the caller gives up; {@link Long#MAX_VALUE} if
 *     none
 * @param extraHeaders header fields a step adds (conditional headers of a revalidation)
 * @param identity who the request is made for (a digest of its credentials; "" when anonymous)
 * @param authority host:port of the origin, with the scheme's default port filled in; computed
 *     once, since half the steps key their per-host state by it
 * @param repeatable whether the transport can send the request more than once: false when its body
 *     can be read only once, and then it is neither retried nor hedged
 */
public record HttpCall(
    String method,
    URI uri,
    HttpHeaders headers,
    boolean hasBody,
    Object nativeRequest,
    long deadlineNanos,
    Map<String, String> extraHeaders,
    String identity,
    String authority,
    boolean repeatable) {

  /** A call to the origin of {@code uri}. */
  public HttpCall(
      String method,
      URI uri,
      HttpHeaders headers,
      boolean hasBody,
      Object nativeRequest,
      long deadlineNanos,
      Map<String, String> extraHeaders,
      String identity) {
    this(
        method,
        uri,
        headers,
        hasBody,
        nativeRequest,
        deadlineNanos,
        extraHeaders,
        identity,
        uri.getHost() + ":" + port(uri),
        true);
  }

  /** The request with extra header fields (they replace fields of the same name). */
  public HttpCall withExtraHeaders(Map<String, String> extra) {
    return new HttpCall(
        method,
        uri,
        headers,
        hasBody,
        nativeRequest,
        deadlineNanos,
        Map.copyOf(extra),
        identity,
        authority,
        repeatable);
  }

  /** The request, to be sent only once: its body can be read only once. */
  public HttpCall sentOnce() {
    return new HttpCall(
        method,
        uri,
        headers,
        hasBody,
        nativeRequest,
        deadlineNanos,
        extraHeaders,
        identity,
        authority,
        false);
  }

  /** A header's first value, or null. Names are case-insensitive. */
  public String header(String name) {
    String extra = extraHeaders.isEmpty() ? null : extraHeaders.get(name.toLowerCase(Locale.ROOT));
    return extra != null ? extra : headers.firstValue(name).orElse(null);
  }

  /** Safe methods (RFC 9110 §9.2.1): they may be hedged, coalesced and cached. */
  public boolean isSafe() {
    return switch (method) {
      case "GET", "HEAD", "OPTIONS", "TRACE" -> true;
      default -> false;
    };
  }

  /**
   * Whether repeating the request is harmless: an idempotent method (RFC 9110 §9.2.2), or a POST or
   * PATCH carrying an {@code Idempotency-Key}.
   */
  public boolean isIdempotent() {
    return switch (method) {
      case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" -> true;
      default -> headers.firstValue("idempotency-key").isPresent();
    };
  }

  /** The port of a URI, with the scheme's default filled in. */
  public static int port(URI uri) {
    int port = uri.getPort();
    if (port != -1) {
      return port;
    }
    return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }
}
