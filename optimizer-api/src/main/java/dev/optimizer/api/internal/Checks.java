package dev.optimizer.api.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * Argument checks whose messages name the setting, the allowed range and the value given, e.g.
 * {@code "maxBatchSize must be in [1, 10000], but was 0"}. Not part of the public API.
 */
public final class Checks {

  private Checks() {}

  /** Checks {@code min <= value <= max}. */
  public static int inRange(String setting, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          setting + " must be in [" + min + ", " + max + "], but was " + value);
    }
    return value;
  }

  /** Checks {@code min <= value <= max}. */
  public static long inRange(String setting, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          setting + " must be in [" + min + ", " + max + "], but was " + value);
    }
    return value;
  }

  /** Checks {@code min <= value <= max} and that the value is a finite number. */
  public static double inRange(String setting, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      throw new IllegalArgumentException(
          setting + " must be in [" + min + ", " + max + "], but was " + value);
    }
    return value;
  }

  /** Checks {@code min < value < max} (both ends open) and that the value is a finite number. */
  public static double inOpenRange(String setting, double value, double min, double max) {
    if (!(value > min && value < max)) {
      throw new IllegalArgumentException(
          setting + " must be in (" + min + ", " + max + "), but was " + value);
    }
    return value;
  }

  /** Checks {@code min <= value <= max} for durations. */
  public static Duration inRange(String setting, Duration value, Duration min, Duration max) {
    notNull(setting, value);
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          setting + " must be in [" + min + ", " + max + "], but was " + value);
    }
    return value;
  }

  /** Checks that a duration is strictly positive. */
  public static Duration positive(String setting, Duration value) {
    notNull(setting, value);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(setting + " must be positive, but was " + value);
    }
    return value;
  }

  /** Checks that a value is not null. */
  public static <T> T notNull(String setting, T value) {
    return Objects.requireNonNull(value, () -> setting + " must not be null");
  }

  /** Checks that a string is neither null nor blank. */
  public static String notBlank(String setting, String value) {
    notNull(setting, value);
    if (value.isBlank()) {
      throw new IllegalArgumentException(setting + " must not be blank, but was '" + value + "'");
    }
    return value;
  }

  /** Checks that a setting has not been given before (builders refuse a setting given twice). */
  public static void notSetBefore(String setting, boolean alreadySet) {
    if (alreadySet) {
      throw new IllegalStateException(setting + " was already set");
    }
  }
}
