package dev.optimizer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ControllerInputTest {

  static final Window WINDOW =
      new Window(0, 1_000_000_000L, Distribution.empty(), 0, 0, new double[0], Map.of());
  static final Objective OBJECTIVE = Objective.maximizeThroughput();

  static ControllerInput input(
      double current, double min, double max, double maxStep, double granularity) {
    return new ControllerInput(current, min, max, maxStep, granularity, WINDOW, OBJECTIVE);
  }

  @Test
  void invariantsAreChecked() {
    assertThatThrownBy(() -> input(5, 10, 1, 1, 1))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("min must be <= max, but was [10.0, 1.0]");
    assertThatThrownBy(() -> input(5, Double.NaN, 10, 1, 1))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("min must be <= max, but was [NaN, 10.0]");
    assertThatThrownBy(() -> input(11, 1, 10, 1, 1))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("current must be in [1.0, 10.0], but was 11.0");
    assertThatThrownBy(() -> input(Double.NaN, 1, 10, 1, 1))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("current must be in [1.0, 10.0], but was NaN");
    assertThatThrownBy(() -> input(5, 1, 10, 0, 1))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxStep must be positive, but was 0.0");
    assertThatThrownBy(() -> input(5, 1, 10, Double.NaN, 1))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxStep must be positive, but was NaN");
    assertThatThrownBy(() -> input(5, 1, 10, 1, -1))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("granularity must be in [0.0, ");
    assertThatThrownBy(() -> new ControllerInput(5, 1, 10, 1, 1, null, OBJECTIVE))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("window must not be null");
    assertThatThrownBy(() -> new ControllerInput(5, 1, 10, 1, 1, WINDOW, null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("objective must not be null");
  }

  @Test
  void ofKnobTakesTheKnobsNumericLine() {
    Knob<Duration> k =
        Knob.ofDuration("delay", Duration.ofMillis(4))
            .range(Duration.ofMillis(1), Duration.ofMillis(9))
            .maxStep(Duration.ofMillis(2))
            .build();
    ControllerInput in = ControllerInput.of(k, WINDOW, OBJECTIVE);
    assertThat(in.current()).isEqualTo(4e6);
    assertThat(in.min()).isEqualTo(1e6);
    assertThat(in.max()).isEqualTo(9e6);
    assertThat(in.maxStep()).isEqualTo(2e6);
    assertThat(in.granularity()).isEqualTo(1.0);
    assertThat(in.window()).isSameAs(WINDOW);
    assertThat(in.objective()).isSameAs(OBJECTIVE);
  }

  @Test
  void boundedClampsToTheStepLimitThenTheBounds() {
    ControllerInput in = input(5, 1, 10, 2, 1);
    assertThat(in.bounded(100)).isEqualTo(7.0);
    assertThat(in.bounded(-100)).isEqualTo(3.0);
    assertThat(in.bounded(6)).isEqualTo(6.0);
    ControllerInput nearTop = input(9, 1, 10, 4, 1);
    assertThat(nearTop.bounded(1e9)).isEqualTo(10.0);
    assertThat(nearTop.bounded(Double.POSITIVE_INFINITY)).isEqualTo(10.0);
    assertThat(nearTop.bounded(Double.NEGATIVE_INFINITY)).isEqualTo(5.0);
  }

  @Test
  void nanMeansHold() {
    assertThat(input(5, 1, 10, 2, 1).bounded(Double.NaN)).isEqualTo(5.0);
    assertThat(input(0.3, 0, 1, 0.1, 0).bounded(Double.NaN)).isEqualTo(0.3);
  }

  @Test
  void boundedRoundsToTheGridAroundTheCurrentValue() {
    ControllerInput in = input(5, 1, 10, 3, 1);
    assertThat(in.bounded(6.4)).isEqualTo(6.0);
    assertThat(in.bounded(6.6)).isEqualTo(7.0);
    assertThat(in.bounded(3.4)).isEqualTo(3.0);
    // grid relative to current: current 0.5, granularity 1 -> ..., -0.5, 0.5, 1.5, ...
    ControllerInput offGrid = input(0.5, 0, 3, 3, 1);
    assertThat(offGrid.bounded(2.2)).isEqualTo(2.5);
    // 2.9 would round to 3.5, above max: it steps back one grid point instead
    assertThat(offGrid.bounded(2.9)).isEqualTo(2.5);
    // -0.4 clamps to 0, rounds to -0.5, below min: it steps up to 0.5
    assertThat(offGrid.bounded(-0.4)).isEqualTo(0.5);
  }

  @Test
  void continuousKnobsAreOnlyClamped() {
    ControllerInput in = input(0.5, 0, 1, 0.25, 0);
    assertThat(in.bounded(0.6)).isEqualTo(0.6);
    assertThat(in.bounded(0.9)).isEqualTo(0.75);
    assertThat(in.bounded(-3)).isEqualTo(0.25);
  }

  @Test
  void aGridCoarserThanTheAllowedMoveHolds() {
    // granularity 10 but only 3 may be moved: no other grid point is reachable
    ControllerInput in = input(5, 0, 100, 3, 10);
    assertThat(in.bounded(100)).isEqualTo(5.0);
    assertThat(in.bounded(0)).isEqualTo(5.0);
  }
}
