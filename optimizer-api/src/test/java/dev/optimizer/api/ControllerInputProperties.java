package dev.optimizer.api;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link ControllerInput#bounded(double)} never leaves the bounds or the step limit, whatever the
 * proposal (NaN, infinities, huge values), and stays on the granularity grid.
 */
class ControllerInputProperties {

  /** Any double, special values included. */
  @Provide
  Arbitrary<Double> anyProposal() {
    return Arbitraries.oneOf(
        Arbitraries.doubles().withStandardSpecialValues(),
        Arbitraries.of(
            Double.NaN,
            Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY,
            Double.MAX_VALUE,
            -Double.MAX_VALUE,
            Double.MIN_VALUE,
            -Double.MIN_VALUE,
            0.0,
            -0.0,
            1e300,
            -1e300),
        Arbitraries.doubles().between(-1e7, 1e7).ofScale(6));
  }

  /** Valid inputs with arbitrary real-valued bounds, step limit and granularity. */
  @Provide
  Arbitrary<ControllerInput> anyInput() {
    Arbitrary<Double> finite =
        Arbitraries.oneOf(
            Arbitraries.doubles().between(-1e6, 1e6).ofScale(6),
            Arbitraries.doubles(), // the whole finite range
            Arbitraries.of(0.0, 1.0, -1.0, 1e15, -1e15));
    Arbitrary<Double> step =
        Arbitraries.oneOf(
            Arbitraries.doubles().between(0.01, 1e6).ofScale(6),
            Arbitraries.of(
                Double.MIN_VALUE, 1e-9, 1.0, Double.MAX_VALUE, Double.POSITIVE_INFINITY));
    Arbitrary<Double> granularity =
        Arbitraries.oneOf(
            Arbitraries.of(0.0, 0.0, 1.0, 0.1, 0.25, 1e-300, 1e300, Double.MAX_VALUE),
            Arbitraries.doubles().between(0.0, 1e4).ofScale(6));
    return Combinators.combine(finite, finite, finite, step, granularity)
        .as(
            (a, b, c, maxStep, g) -> {
              double[] s = {a, b, c};
              java.util.Arrays.sort(s);
              return ControllerInputTest.input(s[1], s[0], s[2], maxStep, g);
            });
  }

  /** Valid inputs with whole-numbered bounds, current value and step limit, granularity 1. */
  @Provide
  Arbitrary<ControllerInput> wholeInput() {
    Arbitrary<Long> lo = Arbitraries.longs().between(-1_000_000, 1_000_000);
    Arbitrary<Long> span = Arbitraries.longs().between(0, 1_000_000);
    Arbitrary<Double> fraction = Arbitraries.doubles().between(0, 1);
    Arbitrary<Long> maxStep =
        Arbitraries.oneOf(
            Arbitraries.longs().between(1, 10), Arbitraries.longs().between(1, 2_000_000));
    return Combinators.combine(lo, span, fraction, maxStep)
        .as(
            (min, width, f, step) -> {
              long current = min + Math.round(width * f);
              return ControllerInputTest.input(current, min, min + width, step, 1.0);
            });
  }

  @Property(tries = 2000)
  void staysWithinBoundsAndStepLimit(
      @ForAll("anyInput") ControllerInput in, @ForAll("anyProposal") double proposal) {
    double v = in.bounded(proposal);
    assertThat(v).isNotNaN();
    assertThat(v).isBetween(in.min(), in.max());
    assertThat(v).isBetween(in.current() - in.maxStep(), in.current() + in.maxStep());
    if (Double.isNaN(proposal)) {
      assertThat(v).isEqualTo(in.current());
    }
  }

  @Property(tries = 1000)
  void continuousKnobsAreClampedExactly(
      @ForAll("anyInput") ControllerInput any, @ForAll("anyProposal") double proposal) {
    ControllerInput in =
        new ControllerInput(
            any.current(), any.min(), any.max(), any.maxStep(), 0.0, any.window(), any.objective());
    double lo = Math.max(in.min(), in.current() - in.maxStep());
    double hi = Math.min(in.max(), in.current() + in.maxStep());
    double expected = Double.isNaN(proposal) ? in.current() : Math.max(lo, Math.min(hi, proposal));
    assertThat(in.bounded(proposal)).isEqualTo(expected);
  }

  @Property(tries = 2000)
  void wholeKnobsLandOnTheGridWithinBoundsAndStep(
      @ForAll("wholeInput") ControllerInput in, @ForAll("anyProposal") double proposal) {
    double v = in.bounded(proposal);
    assertThat(v).isBetween(in.min(), in.max());
    assertThat(Math.abs(v - in.current())).isLessThanOrEqualTo(in.maxStep());
    assertThat(v - in.current())
        .as("offset from current is whole")
        .isEqualTo(Math.rint(v - in.current()));
    if (!Double.isNaN(proposal)) {
      // the nearest grid point to the clamped proposal
      double lo = Math.max(in.min(), in.current() - in.maxStep());
      double hi = Math.min(in.max(), in.current() + in.maxStep());
      double clamped = Math.max(lo, Math.min(hi, proposal));
      assertThat(Math.abs(v - clamped)).isLessThanOrEqualTo(0.5);
    }
  }

  @Property(tries = 1000)
  void wholeKnobsAreMonotoneAndIdempotent(
      @ForAll("wholeInput") ControllerInput in,
      @ForAll("anyProposal") double a,
      @ForAll("anyProposal") double b) {
    if (Double.isNaN(a) || Double.isNaN(b)) {
      return;
    }
    double x = Math.min(a, b);
    double y = Math.max(a, b);
    assertThat(in.bounded(x)).isLessThanOrEqualTo(in.bounded(y));
    assertThat(in.bounded(in.bounded(x))).isEqualTo(in.bounded(x));
  }
}
