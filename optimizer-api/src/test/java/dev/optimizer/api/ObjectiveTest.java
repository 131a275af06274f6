package dev.optimizer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.optimizer.api.Objective.Goal;
import dev.optimizer.api.Objective.Preference;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ObjectiveTest {

  @Test
  void maximizeThroughputDefaults() {
    Objective o = Objective.maximizeThroughput();
    assertThat(o.goal()).isEqualTo(Goal.MAXIMIZE_THROUGHPUT);
    assertThat(o.percentile()).isEqualTo(99.0);
    assertThat(o.maxErrorRate()).isEqualTo(1.0);
    assertThat(o.latencyLimit()).isEmpty();
    assertThat(o.preference()).isEqualTo(Preference.NONE);
    assertThat(o).hasToString("maximize throughput");
  }

  @Test
  void minimizeLatencyDefaults() {
    Objective o = Objective.minimizeLatency(95);
    assertThat(o.goal()).isEqualTo(Goal.MINIMIZE_LATENCY);
    assertThat(o.percentile()).isEqualTo(95.0);
    assertThat(o.maxErrorRate()).isEqualTo(1.0);
    assertThat(o.latencyLimit()).isEmpty();
    assertThat(o.preference()).isEqualTo(Preference.NONE);
    assertThat(o).hasToString("minimize p95.0");
  }

  @Test
  void percentileMustBeBetween50And9999() {
    assertThat(Objective.minimizeLatency(50).percentile()).isEqualTo(50.0);
    assertThat(Objective.minimizeLatency(99.99).percentile()).isEqualTo(99.99);
    assertThatThrownBy(() -> Objective.minimizeLatency(49.9))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("percentile must be in [50.0, 99.99], but was 49.9");
    assertThatThrownBy(() -> Objective.minimizeLatency(100))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("percentile must be in [50.0, 99.99], but was 100.0");
    assertThatThrownBy(() -> Objective.minimizeLatency(Double.NaN))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("percentile must be in [50.0, 99.99], but was NaN");
    assertThatThrownBy(
            () -> Objective.maximizeThroughput().withLatencyLimit(10, Duration.ofMillis(5)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("percentile must be in [50.0, 99.99], but was 10.0");
  }

  @Test
  void maxErrorRateMustBeAFraction() {
    assertThatThrownBy(() -> Objective.maximizeThroughput().withMaxErrorRate(1.5))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxErrorRate must be in [0.0, 1.0], but was 1.5");
    assertThatThrownBy(() -> Objective.maximizeThroughput().withMaxErrorRate(-0.01))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxErrorRate must be in [0.0, 1.0], but was -0.01");
    assertThatThrownBy(() -> Objective.maximizeThroughput().withMaxErrorRate(Double.NaN))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxErrorRate must be in [0.0, 1.0], but was NaN");
    assertThat(Objective.maximizeThroughput().withMaxErrorRate(0).maxErrorRate()).isZero();
  }

  @Test
  void latencyLimitMustBePositive() {
    Objective o = Objective.maximizeThroughput();
    assertThatThrownBy(() -> o.withLatencyLimit(99, Duration.ZERO))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("latency limit must be positive, but was PT0S");
    assertThatThrownBy(() -> o.withLatencyLimit(99, Duration.ofMillis(-1)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("latency limit must be positive, but was PT-0.001S");
    assertThatThrownBy(() -> o.withLatencyLimit(99, null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("latency limit must not be null");
  }

  @Test
  void preferenceMustNotBeNull() {
    assertThatThrownBy(() -> Objective.maximizeThroughput().withPreference(null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("preference must not be null");
  }

  @Test
  void withMethodsReturnNewObjectsAndLeaveTheOriginal() {
    Objective base = Objective.maximizeThroughput();
    Objective limited = base.withMaxErrorRate(0.01);
    Objective tail = limited.withLatencyLimit(99.9, Duration.ofMillis(50));
    Objective cheap = tail.withPreference(Preference.LOWER);

    assertThat(limited).isNotSameAs(base);
    assertThat(tail).isNotSameAs(limited);
    assertThat(cheap).isNotSameAs(tail);

    assertThat(base.maxErrorRate()).isEqualTo(1.0);
    assertThat(base.latencyLimit()).isEmpty();
    assertThat(base.percentile()).isEqualTo(99.0);
    assertThat(limited.maxErrorRate()).isEqualTo(0.01);
    assertThat(limited.latencyLimit()).isEmpty();
    assertThat(tail.latencyLimit()).contains(Duration.ofMillis(50));
    assertThat(tail.percentile()).isEqualTo(99.9);
    assertThat(tail.preference()).isEqualTo(Preference.NONE);
    assertThat(cheap.preference()).isEqualTo(Preference.LOWER);
    // every setting carries over
    assertThat(cheap.goal()).isEqualTo(Goal.MAXIMIZE_THROUGHPUT);
    assertThat(cheap.maxErrorRate()).isEqualTo(0.01);
    assertThat(cheap.latencyLimit()).contains(Duration.ofMillis(50));
    assertThat(cheap.percentile()).isEqualTo(99.9);
    assertThat(cheap.withMaxErrorRate(0.5).preference()).isEqualTo(Preference.LOWER);
  }

  @Test
  void aLatencyLimitDoesNotChangeThePercentileALatencyObjectiveMinimizes() {
    Objective o = Objective.minimizeLatency(95).withLatencyLimit(99, Duration.ofMillis(50));
    assertThat(o.percentile()).isEqualTo(95.0);
    assertThat(o.latencyLimitPercentile()).isEqualTo(99.0);
    assertThat(o).hasToString("minimize p95.0, p99.0 <= PT0.05S");
  }

  @Test
  void toStringListsWhatIsSet() {
    assertThat(
            Objective.maximizeThroughput()
                .withMaxErrorRate(0.01)
                .withLatencyLimit(99.9, Duration.ofMillis(50))
                .withPreference(Preference.LOWER))
        .hasToString("maximize throughput, error rate <= 0.01, p99.9 <= PT0.05S, prefer lower");
    assertThat(Objective.minimizeLatency(99).withPreference(Preference.HIGHER))
        .hasToString("minimize p99.0, prefer higher");
    // an error limit of 1.0 means no limit and is not shown
    assertThat(Objective.minimizeLatency(99).withMaxErrorRate(1.0)).hasToString("minimize p99.0");
  }
}
