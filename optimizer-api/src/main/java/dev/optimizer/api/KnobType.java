package dev.optimizer.api;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleFunction;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The value type of a {@link Knob}. Controllers reason about every knob on a numeric line; a knob
 * type maps its values to and from that line and knows the smallest meaningful step on it.
 *
 * @param <T> the Java type of the knob's values
 */
public final class KnobType<T extends Comparable<? super T>> {

  /** Whole numbers, such as a pool size or a batch size. */
  public static final KnobType<Integer> INT =
      new KnobType<>(
          "int",
          Integer.class,
          Integer::doubleValue,
          d -> (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Math.round(d))),
          1,
          String::valueOf);

  /** Whole numbers of a wider range, such as a cache capacity in bytes. */
  public static final KnobType<Long> LONG =
      new KnobType<>("long", Long.class, Long::doubleValue, Math::round, 1, String::valueOf);

  /** Real numbers, such as a ratio or a similarity threshold. */
  public static final KnobType<Double> DOUBLE =
      new KnobType<>("double", Double.class, Double::doubleValue, d -> d, 0, String::valueOf);

  /** Durations, such as a batch delay or a hedge delay; the numeric line is nanoseconds. */
  public static final KnobType<Duration> DURATION =
      new KnobType<>(
          "duration",
          Duration.class,
          d -> (double) d.toNanos(),
          d -> Duration.ofNanos(Math.round(d)),
          1,
          KnobType::formatDuration);

  private final String name;
  private final Class<T> javaType;
  private final ToDoubleFunction<T> toNumber;
  private final DoubleFunction<T> fromNumber;
  private final double granularity;
  private final Function<T, String> formatter;

  private KnobType(
      String name,
      Class<T> javaType,
      ToDoubleFunction<T> toNumber,
      DoubleFunction<T> fromNumber,
      double granularity,
      Function<T, String> formatter) {
    this.name = name;
    this.javaType = javaType;
    this.toNumber = toNumber;
    this.fromNumber = fromNumber;
    this.granularity = granularity;
    this.formatter = formatter;
  }

  /** The type's name: {@code int}, {@code long}, {@code double} or {@code duration}. */
  public String name() {
    return name;
  }

  /** The Java class of the values. */
  public Class<T> javaType() {
    return javaType;
  }

  /** The position of a value on the numeric line. */
  public double toNumber(T value) {
    try {
      return toNumber.applyAsDouble(Objects.requireNonNull(value, "value"));
    } catch (ArithmeticException e) {
      // A Duration beyond about 292 years has no nanosecond count.
      throw new IllegalArgumentException(
          name
              + " knob value must fit in a long of nanoseconds (about 292 years), but was "
              + value,
          e);
    }
  }

  /** The value at a position of the numeric line, rounded to this type's granularity. */
  public T fromNumber(double number) {
    if (!Double.isFinite(number)) {
      throw new IllegalArgumentException(name + " knob value must be finite, but was " + number);
    }
    return fromNumber.apply(number);
  }

  /** The smallest meaningful step on the numeric line (0 for continuous types). */
  public double granularity() {
    return granularity;
  }

  /** A human-readable rendering of a value, e.g. {@code 25ms} for a duration. */
  public String format(T value) {
    return formatter.apply(value);
  }

  @Override
  public String toString() {
    return name;
  }

  private static String formatDuration(Duration d) {
    long nanos = d.toNanos();
    if (nanos % 1_000_000_000L == 0) {
      return nanos / 1_000_000_000L + "s";
    }
    if (nanos % 1_000_000L == 0) {
      return nanos / 1_000_000L + "ms";
    }
    if (nanos % 1_000L == 0) {
      return nanos / 1_000L + "us";
    }
    return nanos + "ns";
  }
}
