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

  /** The media types of {@link #isStream}, lower case; with the suffixes below. */
  private static final String[] STREAM_TYPES = {
    "text/event-stream",
    "application/x-ndjson",
    "application/ndjson",
    "application/jsonl",
    "application/jsonlines",
    "application/x-jsonlines",
    "application/json-seq",
    "application/stream+json",
    "application/grpc",
    "multipart/x-mixed-replace"
  };

  private static final String[] STREAM_SUFFIXES = {"+ndjson", "+json-seq"};

  /**
   * Whether a body of {@code contentType} is a stream of messages that may never end, to be handed
   * to the application as it arrives rather than buffered: server-sent events, newline-delimited or
   * sequenced JSON, and multipart streams such as MJPEG. Buffering such a body would deliver
   * nothing until the server closed it, and fail once it passed {@code maxResponseBodyBytes}.
   * Parameters and case are ignored. Allocates nothing: it runs on every response.
   */
  public static boolean isStream(CharSequence contentType) {
    if (contentType == null) {
      return false;
    }
    int end = contentType.length();
    for (int i = 0; i < end; i++) {
      if (contentType.charAt(i) == ';') {
        end = i;
        break;
      }
    }
    int start = 0;
    while (start < end && contentType.charAt(start) <= ' ') {
      start++;
    }
    while (end > start && contentType.charAt(end - 1) <= ' ') {
      end--;
    }
    for (String type : STREAM_TYPES) {
      if (end - start == type.length() && matches(contentType, start, type)) {
        return true;
      }
    }
    for (String suffix : STREAM_SUFFIXES) {
      if (end - start >= suffix.length() && matches(contentType, end - suffix.length(), suffix)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code s} holds {@code lower} at {@code from}, ignoring the case of ASCII letters. */
  private static boolean matches(CharSequence s, int from, String lower) {
    for (int i = 0; i < lower.length(); i++) {
      char c = s.charAt(from + i);
      if (c >= 'A' && c <= 'Z') {
        c = (char) (c + ('a' - 'A'));
      }
      if (c != lower.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether a response's body is left unread by the pipeline, handed whole to its one caller: a
   * stream ({@link #isStream}), or a declared length over {@code max}. Decided from the header
   * fields, before any of the body is read.
   */
  public static boolean unbuffered(
      String method, int status, CharSequence contentType, long declaredLength, long max) {
    return !none(method, status) && (declaredLength > max || isStream(contentType));
  }
}
