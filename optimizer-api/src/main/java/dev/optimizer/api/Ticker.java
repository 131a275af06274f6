package dev.optimizer.api;

/**
 * A source of monotonic nanosecond time, injected everywhere adaptive behaviour depends on time so
 * that tests can drive it deterministically (the way Caffeine's {@code Ticker} is used).
 *
 * <p>Only differences between two readings are meaningful; the origin is arbitrary.
 */
@FunctionalInterface
public interface Ticker {

  /** Returns the current reading in nanoseconds. */
  long read();

  /** The system ticker, backed by {@link System#nanoTime()}. */
  static Ticker system() {
    return System::nanoTime;
  }
}
