package dev.optimizer.api.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChecksTest {

  @Test
  void inRangeReturnsTheValueOrNamesSettingRangeAndValue() {
    assertThat(Checks.inRange("maxBatchSize", 1, 1, 10_000)).isEqualTo(1);
    assertThat(Checks.inRange("maxBatchSize", 10_000, 1, 10_000)).isEqualTo(10_000);
    assertThatThrownBy(() -> Checks.inRange("maxBatchSize", 0, 1, 10_000))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxBatchSize must be in [1, 10000], but was 0");
    assertThatThrownBy(() -> Checks.inRange("bytes", 11L, 0L, 10L))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("bytes must be in [0, 10], but was 11");
    assertThat(Checks.inRange("ratio", 0.5, 0.0, 1.0)).isEqualTo(0.5);
    assertThatThrownBy(() -> Checks.inRange("ratio", Double.NaN, 0.0, 1.0))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("ratio must be in [0.0, 1.0], but was NaN");
  }

  @Test
  void inOpenRangeExcludesBothEnds() {
    assertThat(Checks.inOpenRange("confidence", 0.99, 0.0, 1.0)).isEqualTo(0.99);
    assertThatThrownBy(() -> Checks.inOpenRange("confidence", 1.0, 0.0, 1.0))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("confidence must be in (0.0, 1.0), but was 1.0");
    assertThatThrownBy(() -> Checks.inOpenRange("confidence", 0.0, 0.0, 1.0))
        .isExactlyInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Checks.inOpenRange("confidence", Double.NaN, 0.0, 1.0))
        .isExactlyInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void durations() {
    Duration one = Duration.ofMillis(1);
    Duration hour = Duration.ofHours(1);
    assertThat(Checks.inRange("slice", one, one, hour)).isEqualTo(one);
    assertThatThrownBy(() -> Checks.inRange("slice", Duration.ZERO, one, hour))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("slice must be in [PT0.001S, PT1H], but was PT0S");
    assertThatThrownBy(() -> Checks.inRange("slice", null, one, hour))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("slice must not be null");
    assertThat(Checks.positive("delay", Duration.ofNanos(1))).isEqualTo(Duration.ofNanos(1));
    assertThatThrownBy(() -> Checks.positive("delay", Duration.ZERO))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("delay must be positive, but was PT0S");
    assertThatThrownBy(() -> Checks.positive("delay", Duration.ofSeconds(-1)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("delay must be positive, but was PT-1S");
  }

  @Test
  void nullsBlanksAndRepeats() {
    assertThat(Checks.notNull("x", "v")).isEqualTo("v");
    assertThatThrownBy(() -> Checks.notNull("x", null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("x must not be null");
    assertThat(Checks.notBlank("name", " a ")).isEqualTo(" a ");
    assertThatThrownBy(() -> Checks.notBlank("name", "\t"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not be blank, but was '\t'");
    assertThatThrownBy(() -> Checks.notBlank("name", null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("name must not be null");
    Checks.notSetBefore("range", false);
    assertThatThrownBy(() -> Checks.notSetBefore("range", true))
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("range was already set");
  }
}
