package dev.optimizer.http.internal;

/**
 * Which responses have no body whatever their Content-Length says: a response to HEAD, and every
 * 1xx, 204 and 304 (RFC 9110 §6.4.1; RFC 9112 §6.3). Their Content-Length describes the
 * representation a GET would have sent, so it is no reason to refuse them as too large.
 */
public final class ResponseBodies {
  private ResponseBodies() {}

  /** Whether a response of {@code status} to a {@code method} request never has a body. */
  public static boolean none(String method, int status) {
    return "HEAD".equalsIgnoreCase(method)
        || (status >= 100 && status < 200)
        || status == 204
        || status == 304;
  }

  /**
   * Whether a body of {@code contentType} is a stream of messages that may never end, to be handed
   * to the application as it arrives rather than buffered: server-sent events, newline-delimited or
   * sequenced JSON, and multipart streams such as MJPEG. Buffering such a body would deliver
   * nothing until the server closed it, and fail once it passed {@code maxResponseBodyBytes}.
   */
  public static boolean isStream(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type =
        (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
            .trim()
            .toLowerCase(java.util.Locale.ROOT);
    return switch (type) {
      case "text/event-stream",
          "application/x-ndjson",
          "application/ndjson",
          "application/jsonl",
          "application/jsonlines",
          "application/x-jsonlines",
          "application/json-seq",
          "application/stream+json",
          "application/grpc",
          "multipart/x-mixed-replace" ->
          true;
      default -> type.endsWith("+ndjson") || type.endsWith("+json-seq");
    };
  }

  /**
   * Whether a response's body is left unread by the pipeline, handed whole to its one caller: a
   * stream ({@link #isStream}), or a declared length over {@code max}. Decided from the header
   * fields, before any of the body is read.
   */
  public static boolean unbuffered(
      String method, int status, String contentType, long declaredLength, long max) {
    return !none(method, status) && (declaredLength > max || isStream(contentType));
  }
}
