package dev.optimizer.http.internal;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * HTTP-date (RFC 9110 §5.6.7): IMF-fixdate, and the obsolete RFC 850 and asctime forms, which a
 * recipient must read too. Shared by the cache (Date, Expires, Last-Modified) and the retries
 * (Retry-After).
 */
public final class HttpDates {
  private static final DateTimeFormatter RFC_850 =
      DateTimeFormatter.ofPattern("EEEE, dd-MMM-yy HH:mm:ss zzz", Locale.US);
  private static final DateTimeFormatter ASCTIME =
      DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US)
          .withZone(java.time.ZoneOffset.UTC);

  private static final DateTimeFormatter IMF_FIXDATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
          .withZone(java.time.ZoneOffset.UTC);

  private HttpDates() {}

  /** Milliseconds since the epoch, or {@link Long#MIN_VALUE} when absent or not a valid date. */
  public static long parse(String value) {
    if (value == null || value.isEmpty()) {
      return Long.MIN_VALUE;
    }
    String v = value.trim();
    for (DateTimeFormatter f :
        new DateTimeFormatter[] {DateTimeFormatter.RFC_1123_DATE_TIME, RFC_850, ASCTIME}) {
      try {
        return ZonedDateTime.parse(v, f).toInstant().toEpochMilli();
      } catch (DateTimeParseException e) {
        // try the next form
      }
    }
    return Long.MIN_VALUE;
  }

  /** Formats as IMF-fixdate. */
  public static String format(long millis) {
    return IMF_FIXDATE.format(java.time.Instant.ofEpochMilli(millis));
  }
}
