package dev.optimizer.http.internal.retry;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** The {@code Retry-After} field (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. */
final class RetryAfter {
  private RetryAfter() {}

  /** The wait it asks for in nanoseconds; 0 when absent or unreadable. */
  static long nanos(String value, Clock clock) {
    if (value == null) {
      return 0;
    }
    String v = value.trim();
    if (!v.isEmpty() && v.chars().allMatch(Character::isDigit)) {
      long seconds = v.length() > 9 ? Long.MAX_VALUE / 1_000_000_000L : Long.parseLong(v);
      return seconds * 1_000_000_000L;
    }
    try {
      long at =
          ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
      return Math.max(0, at - clock.millis()) * 1_000_000L;
    } catch (DateTimeParseException e) {
      return 0;
    }
  }
}
