package dev.optimizer.http.internal.retry;

import dev.optimizer.http.internal.HttpDates;
import java.time.Clock;

/** The {@code Retry-After} field (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. */
final class RetryAfter {
  // The longest wait it reports, so that it fits in a long of nanoseconds (about 292 years).
  private static final long MAX_SECONDS = Long.MAX_VALUE / 1_000_000_000L;

  private RetryAfter() {}

  /**
   * The wait it asks for in nanoseconds; 0 when absent, unreadable or in the past. The date may be
   * in any of the three HTTP-date forms (RFC 9110 §5.6.7: recipients must read the obsolete RFC 850
   * and asctime forms as well).
   */
  static long nanos(String value, Clock clock) {
    if (value == null) {
      return 0;
    }
    String v = value.trim();
    if (!v.isEmpty() && v.chars().allMatch(Character::isDigit)) {
      long seconds = v.length() > 9 ? MAX_SECONDS : Long.parseLong(v);
      return seconds * 1_000_000_000L;
    }
    long at = HttpDates.parse(v);
    if (at == Long.MIN_VALUE) {
      return 0;
    }
    // A date centuries ahead must not overflow into a negative wait: capped like delay-seconds.
    long millis = Math.min(Math.max(0, at - clock.millis()), MAX_SECONDS * 1000);
    return millis * 1_000_000L;
  }
}
