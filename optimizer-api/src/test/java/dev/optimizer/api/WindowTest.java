package dev.optimizer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WindowTest {

  private static double[] oneToHundred() {
    double[] v = new double[100];
    for (int i = 0; i < v.length; i++) {
      v[i] = i + 1;
    }
    return v;
  }

  private static Window window(long start, long end, long ops, long errors) {
    return new Window(start, end, Distribution.empty(), ops, errors, new double[0], Map.of());
  }

  @Test
  void rejectsMoreErrorsThanOperations() {
    assertThatThrownBy(() -> window(0, 10, 3, 4))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("window errors must be in [0, 3], but was 4");
    assertThatThrownBy(() -> window(0, 10, 3, -1))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("window errors must be in [0, 3], but was -1");
    assertThatThrownBy(() -> window(0, 10, -1, 0))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("window operations must be in [0, 9223372036854775807], but was -1");
  }

  @Test
  void rejectsAnEndBeforeTheStart() {
    assertThatThrownBy(() -> window(10, 5, 0, 0))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("window end must not be before its start, but was 10 > 5");
  }

  @Test
  void tickerReadingsMayWrapAround() {
    // only differences of ticker readings are meaningful, like System.nanoTime()
    Window w = window(Long.MAX_VALUE - 5, Long.MIN_VALUE + 4, 10, 0);
    assertThat(w.elapsed()).isEqualTo(Duration.ofNanos(10));
  }

  @Test
  void rejectsNulls() {
    assertThatThrownBy(() -> new Window(0, 1, null, 0, 0, new double[0], Map.of()))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("latencyNanos must not be null");
    assertThatThrownBy(() -> new Window(0, 1, Distribution.empty(), 0, 0, null, Map.of()))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("throughputSlices must not be null");
    assertThatThrownBy(() -> new Window(0, 1, Distribution.empty(), 0, 0, new double[0], null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("gauges must not be null");
  }

  @Test
  void errorRate() {
    assertThat(window(0, 10, 0, 0).errorRate()).isZero();
    assertThat(window(0, 10, 4, 1).errorRate()).isEqualTo(0.25);
    assertThat(window(0, 10, 4, 4).errorRate()).isEqualTo(1.0);
  }

  @Test
  void throughputPerSecond() {
    assertThat(window(0, 2_000_000_000L, 500, 0).throughputPerSecond()).isEqualTo(250.0);
    assertThat(window(0, 500_000_000L, 10, 0).throughputPerSecond()).isEqualTo(20.0);
    assertThat(window(7, 7, 10, 0).throughputPerSecond()).isZero();
    assertThat(window(0, 1_000_000_000L, 0, 0).throughputPerSecond()).isZero();
  }

  @Test
  void elapsedAndReadings() {
    Window w = window(1_000, 3_001_000, 1, 0);
    assertThat(w.startNanos()).isEqualTo(1_000);
    assertThat(w.endNanos()).isEqualTo(3_001_000);
    assertThat(w.elapsed()).isEqualTo(Duration.ofMillis(3));
  }

  @Test
  void latencyPercentiles() {
    Window w = new Window(0, 1, Distribution.of(oneToHundred()), 100, 0, new double[0], Map.of());
    assertThat(w.latencyPercentileNanos(0)).isEqualTo(1.0);
    assertThat(w.latencyPercentileNanos(50)).isEqualTo(50.0);
    assertThat(w.latencyPercentileNanos(99)).isEqualTo(99.0);
    assertThat(w.latencyPercentileNanos(100)).isEqualTo(100.0);
    assertThat(w.latencyNanos().mean()).isCloseTo(50.5, within(1e-12));
    assertThatThrownBy(() -> w.latencyPercentileNanos(100.5))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("percentile must be in [0.0, 100.0], but was 100.5");
    assertThatThrownBy(() -> w.latencyPercentileNanos(-1))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("percentile must be in [0.0, 100.0], but was -1.0");
    assertThat(window(0, 1, 0, 0).latencyPercentileNanos(99)).isNaN();
  }

  @Test
  void everyWholePercentileOfAHundredValuesIsThatValue() {
    Window w = new Window(0, 1, Distribution.of(oneToHundred()), 100, 0, new double[0], Map.of());
    for (int p = 1; p <= 100; p++) {
      assertThat(w.latencyPercentileNanos(p)).as("p%d", p).isEqualTo(p);
    }
  }

  @Test
  void p999OfAThousandValuesIsTheNineHundredNinetyNinth() {
    double[] v = new double[1000];
    for (int i = 0; i < v.length; i++) {
      v[i] = i + 1;
    }
    Window w = new Window(0, 1, Distribution.of(v), 1000, 0, new double[0], Map.of());
    assertThat(w.latencyPercentileNanos(99.9)).isEqualTo(999.0);
    assertThat(w.latencyPercentileNanos(99.99)).isEqualTo(1000.0);
  }

  @Test
  void slicesAndGaugesAreDefensiveCopies() {
    double[] slices = {1, 2, 3};
    Map<String, Double> gauges = new HashMap<>();
    gauges.put("wait", 0.5);
    Window w = new Window(0, 1, Distribution.empty(), 0, 0, slices, gauges);
    slices[0] = 99;
    gauges.put("hit", 1.0);
    assertThat(w.throughputSlices()).containsExactly(1, 2, 3);
    w.throughputSlices()[1] = 99;
    assertThat(w.throughputSlices()).containsExactly(1, 2, 3);
    assertThat(w.gauges()).containsOnlyKeys("wait");
    assertThatThrownBy(() -> w.gauges().put("x", 1.0))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void toStringShowsTheCountsSlicesAndSortedGauges() {
    Window w =
        new Window(
            0,
            2_000_000_000L,
            Distribution.empty(),
            5,
            1,
            new double[] {2.0, 3.0},
            Map.of("z", 1.0, "a", 2.0));
    assertThat(w)
        .hasToString(
            "Window[elapsed=PT2S, operations=5, errors=1, slices=[2.0, 3.0], gauges={a=2.0,"
                + " z=1.0}]");
  }
}
