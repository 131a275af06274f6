package dev.optimizer.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.optimizer.api.Decision;
import dev.optimizer.api.Knob;
import dev.optimizer.api.Mode;
import dev.optimizer.api.Signal;
import dev.optimizer.api.Window;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.signal.LatencySignal;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptimizerTestKitTest {
  private static final AttributeKey<String> KNOB_NAME =
      AttributeKey.stringKey("optimizer.knob.name");

  @Test
  void createGivesAManuallyDrivenOptimizerInAutoMode() {
    try (OptimizerTestKit kit = OptimizerTestKit.create()) {
      Optimizer optimizer = kit.optimizer();
      assertThat(optimizer.mode()).isEqualTo(Mode.AUTO);
      assertThat(optimizer.isClosed()).isFalse();
      assertThat(optimizer.scheduler()).isEmpty(); // manual tuning: no scheduler thread
      assertThat(kit.time().nanos()).isZero();
      assertThat(optimizer.ticker().read()).isZero();
      assertThat(optimizer.clock().instant()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
      assertThat(kit.decisions()).isEmpty();
      assertThat(kit.runTuningCycle()).isEmpty();
      assertThat(kit.time().nanos()).isZero(); // a cycle does not move time
    }
  }

  @Test
  void builderSettings() {
    ManualTime time = ManualTime.startingAt(Instant.parse("2030-01-01T00:00:00Z"));
    try (OptimizerTestKit kit = OptimizerTestKit.builder().time(time).mode(Mode.OBSERVE).build()) {
      assertThat(kit.time()).isSameAs(time);
      assertThat(kit.optimizer().mode()).isEqualTo(Mode.OBSERVE);
      time.advance(Duration.ofSeconds(3));
      assertThat(kit.optimizer().clock().instant())
          .isEqualTo(Instant.parse("2030-01-01T00:00:03Z"));
      assertThat(kit.optimizer().ticker().read()).isEqualTo(3_000_000_000L);
    }
    OptimizerTestKit.Builder b = OptimizerTestKit.builder();
    assertThatThrownBy(() -> b.time(null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("time must not be null");
    assertThatThrownBy(() -> b.mode(null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("mode must not be null");
    assertThatThrownBy(() -> b.judge(null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("judge must not be null");
    assertThatThrownBy(() -> b.tuning(null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("tuning must not be null");
  }

  @Test
  void runForRunsTheWorkloadEachStepOnTheKitsTime() {
    try (OptimizerTestKit kit = OptimizerTestKit.create()) {
      LatencySignal signal = LatencySignal.builder("work").ticker(kit.time().ticker()).build();
      Signal.Cursor cursor = signal.open();
      List<Long> stepStarts = new ArrayList<>();
      List<Decision> reached =
          kit.runFor(
              Duration.ofSeconds(10),
              Duration.ofSeconds(1),
              step -> {
                assertThat(step).isEqualTo(Duration.ofSeconds(1));
                stepStarts.add(kit.time().nanos());
                long start = kit.time().ticker().read();
                for (int i = 0; i < 100; i++) {
                  signal.recordSuccess(
                      2_000_000L + (kit.time().ticker().read() - start)); // 2ms each
                }
              });
      assertThat(reached).isEmpty();
      assertThat(stepStarts)
          .containsExactly(
              0L,
              1_000_000_000L,
              2_000_000_000L,
              3_000_000_000L,
              4_000_000_000L,
              5_000_000_000L,
              6_000_000_000L,
              7_000_000_000L,
              8_000_000_000L,
              9_000_000_000L);
      assertThat(kit.time().nanos()).isEqualTo(10_000_000_000L);

      Window w = cursor.read();
      assertThat(w.operations()).isEqualTo(1000);
      assertThat(w.elapsed()).isEqualTo(Duration.ofSeconds(10));
      assertThat(w.throughputPerSecond()).isEqualTo(100.0);
      // each step recorded in its own second of the kit's time
      assertThat(w.throughputSlices()).hasSize(10).containsOnly(100.0);
      assertThat(w.latencyPercentileNanos(50)).isBetween(1_980_000.0, 2_020_000.0);
    }
  }

  @Test
  void runForRoundsDownToWholeStepsAndChecksTheStep() {
    try (OptimizerTestKit kit = OptimizerTestKit.create()) {
      int[] calls = {0};
      kit.runFor(Duration.ofMillis(2500), Duration.ofSeconds(1), step -> calls[0]++);
      assertThat(calls[0]).isEqualTo(2);
      assertThat(kit.time().nanos()).isEqualTo(2_000_000_000L);
      assertThatThrownBy(() -> kit.runFor(Duration.ofSeconds(1), Duration.ZERO, step -> {}))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("step must be positive, but was PT0S");
      assertThatThrownBy(() -> kit.runFor(null, Duration.ofSeconds(1), step -> {}))
          .isExactlyInstanceOf(NullPointerException.class)
          .hasMessage("total must not be null");
      assertThatThrownBy(
              () -> kit.runFor(Duration.ofMillis(500), Duration.ofSeconds(1), step -> calls[0]++))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("total must be at least one step (PT1S), but was PT0.5S");
      assertThatThrownBy(
              () -> kit.runFor(Duration.ofSeconds(-3), Duration.ofSeconds(1), step -> calls[0]++))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("total must be at least one step (PT1S), but was PT-3S");
      assertThat(calls[0]).isEqualTo(2);
    }
  }

  @Test
  void tickAdvancesTimeThenRunsACycle() {
    try (OptimizerTestKit kit = OptimizerTestKit.create()) {
      assertThat(kit.tick(Duration.ofSeconds(5))).isEmpty();
      assertThat(kit.time().nanos()).isEqualTo(5_000_000_000L);
    }
  }

  @Test
  void registeredKnobValueIsExportedAsAGauge() {
    try (OptimizerTestKit kit = OptimizerTestKit.create()) {
      Knob<Integer> pool = Knob.ofInt("db.pool.max_size", 10).range(2, 64).build();
      Knob<Duration> delay =
          Knob.ofDuration("batch.delay", Duration.ofMillis(5))
              .range(Duration.ZERO, Duration.ofMillis(50))
              .build();
      kit.optimizer().register(pool);
      kit.optimizer().register(delay);

      assertThat(kit.gauge("optimizer.knob.value", Attributes.of(KNOB_NAME, "db.pool.max_size")))
          .contains(10.0);
      assertThat(kit.gauge("optimizer.knob.value", Attributes.of(KNOB_NAME, "batch.delay")))
          .contains(5_000_000.0);
      pool.set(17);
      assertThat(kit.gauge("optimizer.knob.value", Attributes.of(KNOB_NAME, "db.pool.max_size")))
          .contains(17.0);
      assertThat(kit.gauge("optimizer.knob.value", Attributes.of(KNOB_NAME, "no.such.knob")))
          .isEmpty();
      assertThat(kit.gauge("no.such.metric", Attributes.empty())).isEmpty();
      // with no attributes asked for, any knob's point matches
      assertThat(kit.gauge("optimizer.knob.value", Attributes.empty())).isPresent();
      assertThat(kit.metric("optimizer.knob.value")).isPresent();
      assertThat(kit.counter("optimizer.decisions", Attributes.empty())).isZero();
    }
  }

  @Test
  void aMetricOfAnotherKindIsNeitherReadAsZeroNorAsAbsent() {
    try (OptimizerTestKit kit = OptimizerTestKit.create()) {
      Meter meter = kit.openTelemetry().getMeter("app");
      meter.counterBuilder("app.cost.saved").ofDoubles().build().add(2.5);
      meter.histogramBuilder("app.latency").build().record(12);
      meter.gaugeBuilder("app.queue.depth").ofLongs().buildWithCallback(m -> m.record(7));

      // Read as 0, a double counter or a histogram made assertThat(counter(..)).isZero() pass
      // however much was recorded; a long gauge read as absent, however it was set.
      assertThatThrownBy(() -> kit.counter("app.cost.saved", Attributes.empty()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("app.cost.saved")
          .hasMessageContaining("DOUBLE_SUM");
      assertThatThrownBy(() -> kit.counter("app.latency", Attributes.empty()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("app.latency")
          .hasMessageContaining("HISTOGRAM");
      assertThat(kit.gauge("app.queue.depth", Attributes.empty())).hasValue(7.0);
      assertThatThrownBy(() -> kit.gauge("app.latency", Attributes.empty()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("app.latency")
          .hasMessageContaining("HISTOGRAM");
      assertThat(kit.counter("app.never.recorded", Attributes.empty())).isZero();
      assertThat(kit.gauge("app.never.recorded", Attributes.empty())).isEmpty();
    }
  }

  @Test
  void pinPinsTheKnobAtTheValue() {
    try (OptimizerTestKit kit = OptimizerTestKit.create()) {
      Knob<Integer> k = Knob.ofInt("k", 5).range(1, 10).build();
      kit.pin(k, 8);
      assertThat(k.value()).isEqualTo(8);
      assertThat(k.isPinned()).isTrue();
    }
  }

  @Test
  void aTunedKnobIsJudgedAndDecisionsAreCounted() {
    try (OptimizerTestKit kit = OptimizerTestKit.create()) {
      LatencySignal signal = LatencySignal.builder("batch").ticker(kit.time().ticker()).build();
      Knob<Integer> size = Knob.ofInt("batch.size", 10).range(1, 100).maxStep(10).build();
      kit.optimizer().tune(size, signal).start();
      // throughput grows with the knob: each simulated second completes 100 * size operations
      kit.runFor(
          Duration.ofMinutes(3),
          Duration.ofSeconds(1),
          step -> {
            for (int i = 0; i < 100 * size.value(); i++) {
              signal.recordSuccess(1_000_000L);
            }
          });
      List<Decision> decisions = kit.decisions();
      assertThat(decisions).isNotEmpty();
      assertThat(decisions).allMatch(d -> d.knob().equals("batch.size"));
      assertThat(kit.counter("optimizer.decisions", Attributes.of(KNOB_NAME, "batch.size")))
          .isEqualTo(decisions.size());
      assertThat(size.value()).isGreaterThan(10);
      assertThat(kit.gauge("optimizer.knob.value", Attributes.of(KNOB_NAME, "batch.size")))
          .contains((double) size.value());
    }
  }

  @Test
  void closeIsIdempotentAndClosesTheOptimizer() {
    OptimizerTestKit kit = OptimizerTestKit.create();
    kit.optimizer().register(Knob.ofInt("k", 1).range(1, 2).build());
    kit.close();
    assertThat(kit.optimizer().isClosed()).isTrue();
    kit.close(); // a second close is harmless
    assertThat(kit.optimizer().isClosed()).isTrue();
    assertThatThrownBy(kit::runTuningCycle)
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("optimizer is closed");
    // the knob gauge is gone with the optimizer
    assertThat(kit.gauge("optimizer.knob.value", Attributes.empty())).isEmpty();
  }
}
