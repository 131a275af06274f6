package dev.optimizer.http.internal;

import java.io.IOException;

/**
 * A response body over {@code maxResponseBodyBytes}: the optimizer buffers bodies to cache and
 * share them, and refuses one that would exhaust the heap. Not a transient failure, so never
 * retried.
 */
public final class ResponseTooLargeException extends IOException {
  private static final long serialVersionUID = 1L;

  private ResponseTooLargeException(String message) {
    super(message);
  }

  /** The failure for a body of at least {@code bytes} against a cap of {@code max}. */
  public static ResponseTooLargeException of(long max, long bytes) {
    return new ResponseTooLargeException(
        "response body of at least "
            + bytes
            + " bytes exceeds maxResponseBodyBytes="
            + max
            + " (the optimizer buffers bodies; raise the setting or send this request with"
            + " the unwrapped client)");
  }
}
