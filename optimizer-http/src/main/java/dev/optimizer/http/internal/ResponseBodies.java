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
}
