package dev.optimizer.testing;

import dev.optimizer.api.Ticker;
import dev.optimizer.api.internal.Checks;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time that moves only when a test moves it: a {@link Ticker} and a {@link Clock} that advance
 * together. Thread-safe.
 *
 * <pre>{@code
 * ManualTime time = ManualTime.startingAt(Instant.parse("2026-01-01T00:00:00Z"));
 * Optimizer optimizer = Optimizer.builder().ticker(time.ticker()).clock(time.clock()).manualTuning().build();
 * time.advance(Duration.ofSeconds(10));
 * }</pre>
 */
public final class ManualTime {
  private final Instant origin;
  private final AtomicLong nanos = new AtomicLong();
  private final Ticker ticker = nanos::get;

  private ManualTime(Instant origin) {
    this.origin = origin;
  }

  /** Time starting at the given instant, with the ticker at 0. */
  public static ManualTime startingAt(Instant origin) {
    return new ManualTime(Checks.notNull("origin", origin));
  }

  /** Time starting at 2026-01-01T00:00:00Z. */
  public static ManualTime create() {
    return startingAt(Instant.parse("2026-01-01T00:00:00Z"));
  }

  /** The ticker: nanoseconds since the start. */
  public Ticker ticker() {
    return ticker;
  }

  /** A UTC clock showing the start instant plus the time advanced. */
  public Clock clock() {
    return new ManualClock(ZoneOffset.UTC);
  }

  /** The ticker's current reading. */
  public long nanos() {
    return nanos.get();
  }

  /** The clock's current instant. */
  public Instant now() {
    return origin.plusNanos(nanos.get());
  }

  /**
   * Moves time forward.
   *
   * @throws IllegalArgumentException if the duration is negative
   */
  public void advance(Duration duration) {
    Checks.notNull("duration", duration);
    if (duration.isNegative()) {
      throw new IllegalArgumentException("time can only move forward, but was " + duration);
    }
    nanos.addAndGet(duration.toNanos());
  }

  /** Moves time forward by some nanoseconds (not negative). */
  public void advanceNanos(long delta) {
    Checks.inRange("delta", delta, 0, Long.MAX_VALUE);
    nanos.addAndGet(delta);
  }

  private final class ManualClock extends Clock {
    private final ZoneId zone;

    ManualClock(ZoneId zone) {
      this.zone = zone;
    }

    @Override
    public ZoneId getZone() {
      return zone;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return new ManualClock(zone);
    }

    @Override
    public Instant instant() {
      return now();
    }
  }
}
