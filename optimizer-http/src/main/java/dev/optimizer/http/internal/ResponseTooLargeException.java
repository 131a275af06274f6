package dev.optimizer.http.internal;

import java.io.IOException;

/**
 * A response body over {@code maxResponseBodyBytes} that the transport was holding whole when it
 * passed the cap (its aggregator's limit). Bodies past the cap are handed to the caller as they
 * arrive instead (gzip, deflate and br ones decoded as the caller reads), so this is the cap's own
 * error, for what must be held. Not a transient failure, so never retried. The message says what to
 * change: the setting, its value and range, so that nobody needs a debugger to act on it.
 */
public final class ResponseTooLargeException extends IOException {
  private static final long serialVersionUID = 1L;

  /** The smallest {@code maxResponseBodyBytes} allowed. */
  public static final long MIN_CAP = 1024L;

  /** The largest {@code maxResponseBodyBytes} allowed. */
  public static final long MAX_CAP = 1L << 30;

  private ResponseTooLargeException(String message) {
    super(message);
  }

  /**
   * The failure for a body of at least {@code bytes}, as sent, against a cap of {@code max}: only
   * raising the setting helps.
   */
  public static ResponseTooLargeException of(long max, long bytes) {
    return new ResponseTooLargeException(
        head(max, bytes)
            + (max >= MAX_CAP
                ? " maxResponseBodyBytes is at its maximum already and cannot be raised further."
                : " " + RAISE + "."));
  }

  private static final String RAISE =
      "Raise it with HttpOptimizer.builder(optimizer).maxResponseBodyBytes(bytes) (Spring Boot:"
          + " optimizer.http.max-response-body-bytes), allowed from "
          + MIN_CAP
          + " to "
          + MAX_CAP
          + " ("
          + readable(MAX_CAP)
          + ")";

  private static String head(long max, long bytes) {
    return "response body of at least "
        + bytes
        + " bytes exceeds maxResponseBodyBytes="
        + max
        + " ("
        + readable(max)
        + "), the most the optimizer buffers of one response.";
  }

  /** {@code bytes} in the largest binary unit that divides it, else in bytes. */
  static String readable(long bytes) {
    String[] units = {"GiB", "MiB", "KiB"};
    for (int i = 0; i < units.length; i++) {
      long unit = 1L << (10 * (units.length - i));
      if (bytes >= unit && bytes % unit == 0) {
        return bytes / unit + " " + units[i];
      }
    }
    return bytes + " bytes";
  }
}
