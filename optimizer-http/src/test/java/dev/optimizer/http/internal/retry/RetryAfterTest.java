package dev.optimizer.http.internal.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

  // 37 s before the dates below (a Wednesday).
  private final Clock clock = Clock.fixed(Instant.parse("2026-11-25T17:00:00Z"), ZoneOffset.UTC);

  @Test
  void delaySecondsAreReadAsTheyAre() {
    assertThat(RetryAfter.nanos("120", clock)).isEqualTo(TimeUnit.SECONDS.toNanos(120));
    assertThat(RetryAfter.nanos(" 0 ", clock)).isZero();
  }

  @Test
  void everyFormOfHttpDateIsRead() {
    long wait = TimeUnit.SECONDS.toNanos(37);
    assertThat(RetryAfter.nanos("Wed, 25 Nov 2026 17:00:37 GMT", clock)).isEqualTo(wait);
    // The obsolete forms, which a recipient must read too (RFC 9110 §5.6.7): they were read as 0,
    // so the request was retried at once instead of after the wait the server asked for.
    assertThat(RetryAfter.nanos("Wednesday, 25-Nov-26 17:00:37 GMT", clock)).isEqualTo(wait);
    assertThat(RetryAfter.nanos("Wed Nov 25 17:00:37 2026", clock)).isEqualTo(wait);
  }

  @Test
  void aDateInThePastOrUnreadableAsksForNoWait() {
    assertThat(RetryAfter.nanos("Wed, 25 Nov 2026 16:59:00 GMT", clock)).isZero();
    assertThat(RetryAfter.nanos("soon", clock)).isZero();
    assertThat(RetryAfter.nanos("", clock)).isZero();
    assertThat(RetryAfter.nanos(null, clock)).isZero();
  }

  @Test
  void aDateCenturiesAheadDoesNotOverflowIntoANegativeWait() {
    assertThat(RetryAfter.nanos("Fri, 31 Dec 9999 23:59:59 GMT", clock))
        .isEqualTo(RetryAfter.nanos("99999999999", clock))
        .isPositive();
  }
}
