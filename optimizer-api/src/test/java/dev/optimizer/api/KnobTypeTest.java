package dev.optimizer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class KnobTypeTest {

  private static final long TWO_POW_53 = 1L << 53;

  @Test
  void namesClassesAndGranularities() {
    assertThat(KnobType.INT.name()).isEqualTo("int");
    assertThat(KnobType.LONG.name()).isEqualTo("long");
    assertThat(KnobType.DOUBLE.name()).isEqualTo("double");
    assertThat(KnobType.DURATION.name()).isEqualTo("duration");
    assertThat(KnobType.DURATION).hasToString("duration");
    assertThat(KnobType.INT.javaType()).isEqualTo(Integer.class);
    assertThat(KnobType.LONG.javaType()).isEqualTo(Long.class);
    assertThat(KnobType.DOUBLE.javaType()).isEqualTo(Double.class);
    assertThat(KnobType.DURATION.javaType()).isEqualTo(Duration.class);
    assertThat(KnobType.INT.granularity()).isEqualTo(1.0);
    assertThat(KnobType.LONG.granularity()).isEqualTo(1.0);
    assertThat(KnobType.DOUBLE.granularity()).isEqualTo(0.0);
    assertThat(KnobType.DURATION.granularity()).isEqualTo(1.0);
  }

  @Test
  void intRoundsHalfUpAndClampsToItsRange() {
    assertThat(KnobType.INT.fromNumber(2.5)).isEqualTo(3);
    assertThat(KnobType.INT.fromNumber(2.49)).isEqualTo(2);
    assertThat(KnobType.INT.fromNumber(-2.5)).isEqualTo(-2); // Math.round: half towards +inf
    assertThat(KnobType.INT.fromNumber(-2.51)).isEqualTo(-3);
    assertThat(KnobType.INT.fromNumber(1e12)).isEqualTo(Integer.MAX_VALUE);
    assertThat(KnobType.INT.fromNumber(-1e12)).isEqualTo(Integer.MIN_VALUE);
    assertThat(KnobType.INT.toNumber(42)).isEqualTo(42.0);
  }

  @Test
  void longRounds() {
    assertThat(KnobType.LONG.fromNumber(2.5)).isEqualTo(3L);
    assertThat(KnobType.LONG.fromNumber(1e15 + 0.4)).isEqualTo(1_000_000_000_000_000L);
    assertThat(KnobType.LONG.fromNumber(1e30)).isEqualTo(Long.MAX_VALUE);
    assertThat(KnobType.LONG.toNumber(7L)).isEqualTo(7.0);
  }

  @Test
  void doubleIsTheIdentity() {
    assertThat(KnobType.DOUBLE.fromNumber(0.123)).isEqualTo(0.123);
    assertThat(KnobType.DOUBLE.toNumber(-4.5)).isEqualTo(-4.5);
  }

  @Test
  void durationLivesOnTheNanosecondLine() {
    assertThat(KnobType.DURATION.toNumber(Duration.ofMillis(25))).isEqualTo(25_000_000.0);
    assertThat(KnobType.DURATION.fromNumber(1_500_000.0)).isEqualTo(Duration.ofNanos(1_500_000));
    assertThat(KnobType.DURATION.fromNumber(10.5)).isEqualTo(Duration.ofNanos(11));
    assertThat(KnobType.DURATION.fromNumber(10.49)).isEqualTo(Duration.ofNanos(10));
  }

  @Test
  void durationFormatUsesTheLargestWholeUnit() {
    assertThat(KnobType.DURATION.format(Duration.ZERO)).isEqualTo("0s");
    assertThat(KnobType.DURATION.format(Duration.ofSeconds(90))).isEqualTo("90s");
    assertThat(KnobType.DURATION.format(Duration.ofMillis(25))).isEqualTo("25ms");
    assertThat(KnobType.DURATION.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(KnobType.DURATION.format(Duration.ofNanos(7000))).isEqualTo("7us");
    assertThat(KnobType.DURATION.format(Duration.ofNanos(1234))).isEqualTo("1234ns");
    assertThat(KnobType.DURATION.format(Duration.ofMillis(-3))).isEqualTo("-3ms");
  }

  @Test
  void numberFormatsArePlain() {
    assertThat(KnobType.INT.format(12)).isEqualTo("12");
    assertThat(KnobType.LONG.format(12L)).isEqualTo("12");
    assertThat(KnobType.DOUBLE.format(0.25)).isEqualTo("0.25");
  }

  @Test
  void nonFiniteNumbersAreRejected() {
    assertThatThrownBy(() -> KnobType.INT.fromNumber(Double.NaN))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("int knob value must be finite, but was NaN");
    assertThatThrownBy(() -> KnobType.LONG.fromNumber(Double.POSITIVE_INFINITY))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("long knob value must be finite, but was Infinity");
    assertThatThrownBy(() -> KnobType.DOUBLE.fromNumber(Double.NEGATIVE_INFINITY))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("double knob value must be finite, but was -Infinity");
    assertThatThrownBy(() -> KnobType.DURATION.fromNumber(Double.NaN))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("duration knob value must be finite, but was NaN");
  }

  @Test
  void toNumberRejectsNull() {
    assertThatThrownBy(() -> KnobType.INT.toNumber(null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("value");
  }

  @Property(tries = 300)
  void intRoundTrips(@ForAll int value) {
    assertThat(KnobType.INT.fromNumber(KnobType.INT.toNumber(value))).isEqualTo(value);
  }

  @Property(tries = 300)
  void longRoundTripsWhereDoublesAreExact(
      @ForAll @LongRange(min = -TWO_POW_53, max = TWO_POW_53) long value) {
    assertThat(KnobType.LONG.fromNumber(KnobType.LONG.toNumber(value))).isEqualTo(value);
  }

  @Property(tries = 300)
  void durationRoundTripsWhereDoublesAreExact(
      @ForAll @LongRange(min = -TWO_POW_53, max = TWO_POW_53) long nanos) {
    Duration d = Duration.ofNanos(nanos);
    assertThat(KnobType.DURATION.fromNumber(KnobType.DURATION.toNumber(d))).isEqualTo(d);
  }

  @Property(tries = 300)
  void doubleRoundTrips(@ForAll double value) {
    assertThat(KnobType.DOUBLE.fromNumber(KnobType.DOUBLE.toNumber(value))).isEqualTo(value);
  }

  @Property(tries = 300)
  void intFromNumberIsTheNearestWholeNumber(
      @ForAll @DoubleRange(min = -1e9, max = 1e9) double number) {
    int v = KnobType.INT.fromNumber(number);
    assertThat(Math.abs(v - number)).isLessThanOrEqualTo(0.5);
  }
}
