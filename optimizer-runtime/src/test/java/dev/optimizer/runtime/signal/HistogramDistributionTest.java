package dev.optimizer.runtime.signal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class HistogramDistributionTest {

  @Test
  void emptyHistogram() {
    HistogramDistribution d = new HistogramDistribution(new Histogram(1_000_000, 2));
    assertThat(d.count()).isZero();
    assertThat(d.valueAtQuantile(0.5)).isNaN();
    assertThat(d.mean()).isNaN();
    List<Double> seen = new ArrayList<>();
    d.forEachValue((v, n) -> seen.add(v));
    assertThat(seen).isEmpty();
  }

  @Test
  void bucketsAreTiesInAscendingOrder() {
    Histogram h = new Histogram(1_000_000, 2);
    h.recordValueWithCount(5000, 3);
    h.recordValue(5001); // within 1% of 5000: the same bucket
    h.recordValue(200);
    HistogramDistribution d = new HistogramDistribution(h);
    List<Double> values = new ArrayList<>();
    List<Long> counts = new ArrayList<>();
    d.forEachValue(
        (v, n) -> {
          values.add(v);
          counts.add(n);
        });
    assertThat(counts).containsExactly(1L, 4L);
    assertThat(values.get(0)).isCloseTo(200, within(2.0));
    assertThat(values.get(1)).isCloseTo(5000, within(50.0));
    assertThat(d.count()).isEqualTo(5);
    assertThat(d.valueAtQuantile(0)).isCloseTo(200, within(2.0));
    assertThat(d.valueAtQuantile(1)).isCloseTo(5000, within(50.0));
    assertThat(d.mean()).isCloseTo((200 + 4 * 5000) / 5.0, within(50.0));
    assertThat(d.toString()).isEqualTo("HistogramDistribution[n=5]");
  }

  @Test
  void rejectsBadInput() {
    assertThatThrownBy(() -> new HistogramDistribution(null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("histogram must not be null");
    HistogramDistribution d = new HistogramDistribution(new Histogram(1000, 2));
    assertThatThrownBy(() -> d.valueAtQuantile(1.5))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("quantile must be in [0.0, 1.0], but was 1.5");
  }
}
