package dev.optimizer.http.internal;

import java.io.IOException;

/**
 * A response body over {@code maxResponseBodyBytes} that the transport has to hold whole: a {@code
 * br} body it decodes, larger than the cap as sent (its decoder reads only a whole body, so it is
 * aggregated first; decoding past the cap, it is handed on). Every other body past the cap is
 * handed to the caller as it arrives instead. Not a transient failure, so never retried. The
 * message says what to change: the setting, its value and range, and the Accept-Encoding workaround
 * where it applies, so that nobody needs a debugger to act on it.
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

  /**
   * The failure for a body the transport decodes from {@code coding} whole, because it asked for
   * that coding itself (the request had no Accept-Encoding), of at least {@code bytes} (decoded, or
   * as sent when it failed before decoding) against a cap of {@code max}. Setting Accept-Encoding
   * on the request lifts the limit too: the transport then leaves the body as sent and hands one
   * past the cap on as it arrives.
   *
   * @param coding the content coding, such as {@code br}
   */
  public static ResponseTooLargeException decoding(long max, long bytes, String coding) {
    return new ResponseTooLargeException(
        head(max, bytes)
            + " The transport asked for "
            + coding
            + " itself (the request set no Accept-Encoding) and decodes it only from the whole"
            + " body, so it must buffer it as sent. "
            + (max >= MAX_CAP
                ? "maxResponseBodyBytes is at its maximum already; instead"
                : RAISE + ", or")
            + " set Accept-Encoding on the request yourself (identity, or codings you decode):"
            + " the transport then leaves the body as sent and hands it to your BodyHandler as it"
            + " arrives, however large.");
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
