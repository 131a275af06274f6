package dev.optimizer.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.optimizer.api.Distribution;
import dev.optimizer.api.Window;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class PooledWindowTest {
  @Property(tries = 200)
  void poolingIsTheSameAsMeasuringBothWindowsAsOne(
      @ForAll @Size(min = 1, max = 60) List<@DoubleRange(min = 0, max = 1e10) Double> la,
      @ForAll @Size(min = 1, max = 60) List<@DoubleRange(min = 0, max = 1e10) Double> lb,
      @ForAll @DoubleRange(min = 0, max = 1) double q) {
    double[] a = la.stream().mapToDouble(Double::doubleValue).toArray();
    double[] b = lb.stream().mapToDouble(Double::doubleValue).toArray();
    Window wa = window(a, 0, 10, new double[] {1, 2});
    Window wb = window(b, 20, 35, new double[] {3});
    Window pooled = PooledWindow.of(wa, wb);

    double[] all = concat(a, b);
    Distribution expected = Distribution.of(all);
    assertThat(pooled.latencyNanos().count()).isEqualTo(all.length);
    assertThat(pooled.latencyNanos().valueAtQuantile(q)).isEqualTo(expected.valueAtQuantile(q));
    assertThat(pooled.latencyNanos().mean())
        .isCloseTo(expected.mean(), within(1e-9 * (1 + Math.abs(expected.mean()))));
    double[] previous = {Double.NEGATIVE_INFINITY};
    pooled
        .latencyNanos()
        .forEachValue(
            (v, n) -> {
              assertThat(v).isGreaterThan(previous[0]); // ascending, each value once
              previous[0] = v;
            });
    assertThat(pooled.operations()).isEqualTo(a.length + b.length);
    assertThat(pooled.errors()).isEqualTo(2);
    assertThat(pooled.throughputSlices()).containsExactly(1, 2, 3);
    assertThat(pooled.startNanos()).isZero();
    assertThat(pooled.endNanos()).isEqualTo(35);
  }

  /** 0.56 × 50 is 28.000000000000004 in doubles: the rank must still be the 28th, not the 29th. */
  @Test
  void aQuantileOnAWholeRankIsNotPushedToTheNextByRounding() {
    double[] a = new double[25];
    double[] b = new double[25];
    for (int i = 0; i < 25; i++) {
      a[i] = i + 1;
      b[i] = i + 26;
    }
    Window pooled =
        PooledWindow.of(window(a, 0, 10, new double[] {1}), window(b, 10, 20, new double[] {1}));
    assertThat(pooled.latencyNanos().valueAtQuantile(0.56)).isEqualTo(28);
    assertThat(pooled.latencyNanos().valueAtQuantile(0.56))
        .isEqualTo(Distribution.of(concat(a, b)).valueAtQuantile(0.56));
  }

  private static double[] concat(double[] a, double[] b) {
    double[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  private static Window window(double[] latencies, long start, long end, double[] slices) {
    return new Window(
        start, end, Distribution.of(latencies), latencies.length, 1, slices, Map.of());
  }
}
