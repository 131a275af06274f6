package dev.optimizer.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.api.Controller;
import dev.optimizer.api.ControllerInput;
import dev.optimizer.api.Knob;
import dev.optimizer.api.Mode;
import dev.optimizer.api.Objective;
import dev.optimizer.runtime.judge.Judge;
import dev.optimizer.runtime.judge.JudgeSettings;
import dev.optimizer.runtime.signal.LatencySignal;
import dev.optimizer.runtime.tuning.TuningSettings;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What the engine remembers of signals does not outlive the knobs tuned on them. */
class TuningEngineSignalsTest {
  private final AtomicLong nanos = new AtomicLong();
  private final TuningEngine engine =
      new TuningEngine(
          () -> Mode.AUTO,
          Clock.systemUTC(),
          nanos::get,
          new Judge(JudgeSettings.builder().minSamplesPerArm(100).build()),
          TuningSettings.builder()
              .minWindow(Duration.ofSeconds(1))
              .maxWindow(Duration.ofSeconds(5))
              .settle(Duration.ofMillis(100))
              .build());

  /** Proposes one above the current value, every time. */
  private static final Controller UP =
      new Controller() {
        @Override
        public String name() {
          return "up";
        }

        @Override
        public double propose(ControllerInput in) {
          return in.current() + 1;
        }
      };

  @Test
  void unregisteringAKnobForgetsItsSignal() {
    for (int round = 0; round < 3; round++) {
      LatencySignal signal = LatencySignal.builder("s" + round).ticker(nanos::get).build();
      Knob<Integer> knob = Knob.ofInt("k" + round, 10).range(1, 100).build();
      engine.register(knob, signal, UP, Objective.minimizeLatency(50), false);
      for (int tick = 0; tick < 20 && knob.value() == 10; tick++) {
        for (int i = 0; i < 200; i++) {
          nanos.addAndGet(1_000_000);
          signal.record(1_000_000, false);
        }
        engine.runCycle();
      }
      assertThat(knob.value()).as("the knob moved").isNotEqualTo(10);
      assertThat(engine.rememberedSignals()).isPositive();
      assertThat(engine.unregister(knob.name())).isTrue();
      assertThat(engine.rememberedSignals()).isZero();
    }
  }
}
