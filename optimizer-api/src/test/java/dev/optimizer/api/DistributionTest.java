package dev.optimizer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class DistributionTest {

  private static List<String> visit(Distribution d) {
    List<String> out = new ArrayList<>();
    d.forEachValue((value, count) -> out.add(value + "x" + count));
    return out;
  }

  @Test
  void forEachValueGroupsTiesInAscendingOrder() {
    Distribution d = Distribution.of(3, 1, 2, 3, 2, 3, -0.5);
    assertThat(visit(d)).containsExactly("-0.5x1", "1.0x1", "2.0x2", "3.0x3");
    assertThat(d.count()).isEqualTo(7);
  }

  @Test
  void infinitiesAreOrdinaryValues() {
    Distribution d = Distribution.of(Double.POSITIVE_INFINITY, 1, Double.NEGATIVE_INFINITY, 1);
    assertThat(visit(d)).containsExactly("-Infinityx1", "1.0x2", "Infinityx1");
  }

  @Test
  void emptyDistribution() {
    Distribution d = Distribution.empty();
    assertThat(d.count()).isZero();
    assertThat(visit(d)).isEmpty();
    assertThat(d.valueAtQuantile(0)).isNaN();
    assertThat(d.valueAtQuantile(0.5)).isNaN();
    assertThat(d.valueAtQuantile(1)).isNaN();
    assertThat(d.mean()).isNaN();
    assertThat(Distribution.of().count()).isZero();
  }

  @Test
  void quantileEdges() {
    Distribution d = Distribution.of(40, 10, 30, 20);
    assertThat(d.valueAtQuantile(0)).isEqualTo(10.0);
    assertThat(d.valueAtQuantile(0.25)).isEqualTo(10.0);
    assertThat(d.valueAtQuantile(0.2500001)).isEqualTo(20.0);
    assertThat(d.valueAtQuantile(0.5)).isEqualTo(20.0);
    assertThat(d.valueAtQuantile(0.51)).isEqualTo(30.0);
    assertThat(d.valueAtQuantile(1)).isEqualTo(40.0);
    assertThat(Distribution.of(7).valueAtQuantile(0)).isEqualTo(7.0);
    assertThat(Distribution.of(7).valueAtQuantile(1)).isEqualTo(7.0);
  }

  @Test
  void quantileOutsideZeroToOneIsRejected() {
    Distribution d = Distribution.of(1, 2);
    assertThatThrownBy(() -> d.valueAtQuantile(1.01))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("quantile must be in [0.0, 1.0], but was 1.01");
    assertThatThrownBy(() -> d.valueAtQuantile(-0.1))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("quantile must be in [0.0, 1.0], but was -0.1");
    assertThatThrownBy(() -> d.valueAtQuantile(Double.NaN))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("quantile must be in [0.0, 1.0], but was NaN");
    assertThatThrownBy(() -> Distribution.empty().valueAtQuantile(2))
        .isExactlyInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsNaN() {
    assertThatThrownBy(() -> Distribution.of(1, Double.NaN, 2))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("distribution values must not be NaN");
  }

  @Test
  void copiesItsInput() {
    double[] values = {3, 1, 2};
    Distribution d = Distribution.of(values);
    values[0] = 100;
    assertThat(d.valueAtQuantile(1)).isEqualTo(3.0);
    assertThat(values).containsExactly(100, 1, 2); // the caller's array is not sorted in place
  }

  @Test
  void mean() {
    assertThat(Distribution.of(1, 2, 3, 10).mean()).isEqualTo(4.0);
    assertThat(Distribution.of(0.1, 0.2).mean()).isCloseTo(0.15, within(1e-15));
  }

  @Test
  void quantilesAtCommonPercentilesPickTheExactRank() {
    double[] thousand = new double[1000];
    Arrays.setAll(thousand, i -> i + 1);
    Distribution d = Distribution.of(thousand);
    assertThat(d.valueAtQuantile(0.5)).isEqualTo(500.0);
    assertThat(d.valueAtQuantile(0.9)).isEqualTo(900.0);
    assertThat(d.valueAtQuantile(0.99)).isEqualTo(990.0);
    // 0.999 * 1000 is 999.0000000000001 in floating point; the rank is still 999
    assertThat(d.valueAtQuantile(0.999)).isEqualTo(999.0);
    assertThat(d.valueAtQuantile(99.9 / 100)).isEqualTo(999.0);
    // 0.07 * 100 is 7.000000000000001 in floating point
    double[] hundred = Arrays.copyOf(thousand, 100);
    assertThat(Distribution.of(hundred).valueAtQuantile(0.07)).isEqualTo(7.0);
  }

  /**
   * For the values 1..n the value at quantile p/100 is the rank ceil(p * n / 100), computed with
   * whole numbers: the smallest value with at least p% of the values at or below it.
   */
  @Property(tries = 500)
  void quantileAtWholePercentileIsTheExactRank(
      @ForAll @IntRange(min = 1, max = 5000) int n, @ForAll @IntRange(min = 0, max = 100) int p) {
    double[] values = new double[n];
    Arrays.setAll(values, i -> i + 1);
    long rank = Math.max(1, (p * (long) n + 99) / 100);
    assertThat(Distribution.of(values).valueAtQuantile(p / 100.0)).isEqualTo((double) rank);
  }

  /** The value at a quantile has at least that fraction of values at or below it. */
  @Property(tries = 500)
  void quantileDefinition(
      @ForAll @Size(min = 1, max = 200) List<@IntRange(min = -50, max = 50) Integer> raw,
      @ForAll @IntRange(min = 0, max = 1000) int permille) {
    double[] values = raw.stream().mapToDouble(Integer::doubleValue).toArray();
    double q = permille / 1000.0;
    double v = Distribution.of(values).valueAtQuantile(q);
    long atOrBelow = Arrays.stream(values).filter(x -> x <= v).count();
    long below = Arrays.stream(values).filter(x -> x < v).count();
    assertThat(Arrays.stream(values).anyMatch(x -> x == v)).isTrue();
    // at least a fraction q at or below v ...
    assertThat(atOrBelow * 1000L).isGreaterThanOrEqualTo((long) permille * values.length);
    // ... and no smaller value would do (fewer than a fraction q strictly below v)
    if (below > 0) {
      assertThat(below * 1000L).isLessThan((long) permille * values.length);
    }
  }

  /** forEachValue visits distinct ascending values whose counts add up to count(). */
  @Property(tries = 300)
  void forEachValueIsAscendingAndComplete(
      @ForAll @Size(max = 100) List<@IntRange(min = 0, max = 10) Integer> raw) {
    Distribution d = Distribution.of(raw.stream().mapToDouble(Integer::doubleValue).toArray());
    List<Double> seen = new ArrayList<>();
    long[] total = {0};
    d.forEachValue(
        (value, count) -> {
          assertThat(count).isPositive();
          assertThat(count).isEqualTo(raw.stream().filter(x -> x == value).count());
          seen.add(value);
          total[0] += count;
        });
    assertThat(seen).isSorted().doesNotHaveDuplicates();
    assertThat(total[0]).isEqualTo(raw.size()).isEqualTo(d.count());
  }
}
