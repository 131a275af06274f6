package dev.optimizer.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.optimizer.api.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class ManualTimeTest {

  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void startsAtTheDefaultInstantWithTheTickerAtZero() {
    ManualTime t = ManualTime.create();
    assertThat(t.nanos()).isZero();
    assertThat(t.ticker().read()).isZero();
    assertThat(t.now()).isEqualTo(START);
    assertThat(t.clock().instant()).isEqualTo(START);
    assertThat(t.clock().getZone()).isEqualTo(ZoneOffset.UTC);
  }

  @Test
  void startsAtAGivenInstant() {
    Instant origin = Instant.parse("2030-06-15T12:00:00.5Z");
    ManualTime t = ManualTime.startingAt(origin);
    assertThat(t.now()).isEqualTo(origin);
    assertThat(t.ticker().read()).isZero();
    assertThatThrownBy(() -> ManualTime.startingAt(null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("origin must not be null");
  }

  @Test
  void advanceMovesTickerAndClockTogether() {
    ManualTime t = ManualTime.create();
    Ticker ticker = t.ticker();
    Clock clock = t.clock(); // obtained before advancing: still follows
    t.advance(Duration.ofMillis(1500));
    assertThat(ticker.read()).isEqualTo(1_500_000_000L);
    assertThat(t.nanos()).isEqualTo(1_500_000_000L);
    assertThat(clock.instant()).isEqualTo(START.plusMillis(1500));
    assertThat(clock.millis()).isEqualTo(START.toEpochMilli() + 1500);
    t.advanceNanos(7);
    assertThat(ticker.read()).isEqualTo(1_500_000_007L);
    assertThat(t.now()).isEqualTo(START.plusNanos(1_500_000_007L));
    assertThat(clock.instant()).isEqualTo(START.plusNanos(1_500_000_007L));
  }

  @Test
  void advancingByZeroIsAllowed() {
    ManualTime t = ManualTime.create();
    t.advance(Duration.ZERO);
    t.advanceNanos(0);
    assertThat(t.nanos()).isZero();
  }

  @Test
  void negativeAdvancesAreRejectedAndMoveNothing() {
    ManualTime t = ManualTime.create();
    t.advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> t.advance(Duration.ofSeconds(-1)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("time can only move forward, but was PT-1S");
    assertThatThrownBy(() -> t.advanceNanos(-1))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("delta must be in [0, 9223372036854775807], but was -1");
    assertThatThrownBy(() -> t.advance(null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("duration must not be null");
    assertThat(t.nanos()).isEqualTo(1_000_000_000L);
  }

  @Test
  void clockWithZoneShowsTheSameInstantAndKeepsFollowing() {
    ManualTime t = ManualTime.create();
    ZoneId paris = ZoneId.of("Europe/Paris");
    Clock zoned = t.clock().withZone(paris);
    assertThat(zoned.getZone()).isEqualTo(paris);
    t.advance(Duration.ofHours(1));
    assertThat(zoned.instant()).isEqualTo(START.plusSeconds(3600));
    assertThat(t.clock().getZone()).isEqualTo(ZoneOffset.UTC);
  }

  @Test
  void ticksFromSeveralThreadsAddUp() throws Exception {
    ManualTime t = ManualTime.create();
    Thread[] threads = new Thread[4];
    for (int i = 0; i < threads.length; i++) {
      threads[i] =
          new Thread(
              () -> {
                for (int j = 0; j < 10_000; j++) {
                  t.advanceNanos(1);
                }
              });
      threads[i].start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(t.nanos()).isEqualTo(40_000);
  }
}
