package dev.optimizer.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.api.Decision;
import dev.optimizer.api.Knob;
import dev.optimizer.api.Objective;
import dev.optimizer.api.Verdict;
import dev.optimizer.runtime.judge.JudgeSettings;
import dev.optimizer.runtime.signal.LatencySignal;
import dev.optimizer.runtime.tuning.TuningSettings;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How long the engine measures: a knob's windows double after an inconclusive trial (a difference
 * too small to see needs more samples) up to four times {@code minWindow}, and halve again after a
 * conclusive one. In manual time, against a synthetic service.
 */
class AdaptiveWindowTest {
  private static final Duration SECOND = Duration.ofSeconds(1);

  private final OptimizerTestKit kit =
      OptimizerTestKit.builder()
          .judge(JudgeSettings.builder().minSamplesPerArm(500).build())
          .tuning(
              TuningSettings.builder()
                  .minWindow(Duration.ofSeconds(5))
                  .maxWindow(Duration.ofSeconds(60))
                  .settle(SECOND)
                  .maxBackoffWindows(0)
                  .build())
          .build();

  private final LatencySignal signal =
      LatencySignal.builder("service").ticker(kit.time().ticker()).build();
  private final SplittableRandom random = new SplittableRandom(3);
  private final Knob<Integer> knob =
      Knob.ofInt("service.concurrency", 32).range(1, 64).maxStep(8).build();

  /** Whether the service's latency depends on the knob (10 ms per unit) or not (flat 10 ms). */
  private boolean sloped;

  @AfterEach
  void close() {
    kit.close();
  }

  @Test
  void windowsGrowAfterInconclusiveTrialsAndShrinkAfterConclusiveOnes() {
    start(false);
    List<Decision> flat = run(150);
    assertThat(flat).hasSizeGreaterThanOrEqualTo(4);
    assertThat(flat).allMatch(d -> d.verdict() == Verdict.INCONCLUSIVE);
    // minWindow, then doubled twice, then held at 4 × minWindow (within maxWindow's 60 s).
    assertThat(trialWindows(flat.subList(0, 4))).containsExactly(1L, 2L, 4L, 4L);

    sloped = true;
    List<Decision> conclusive = run(120);
    assertThat(conclusive).hasSizeGreaterThanOrEqualTo(3);
    assertThat(conclusive.subList(0, 3)).noneMatch(d -> d.verdict() == Verdict.INCONCLUSIVE);
    // The first was measured at 4 × minWindow; each conclusive verdict halves the next window, down
    // to minWindow.
    List<Long> windows = trialWindows(conclusive);
    assertThat(windows.subList(0, 3)).containsExactly(4L, 2L, 1L);
    assertThat(windows.subList(3, windows.size())).containsOnly(1L);
  }

  @Test
  void anExploringControllersInconclusiveTrialsDoNotGrowTheWindow() {
    start(true);
    List<Decision> flat = run(60);
    assertThat(flat).hasSizeGreaterThanOrEqualTo(4);
    assertThat(flat).allMatch(d -> d.verdict() == Verdict.INCONCLUSIVE);
    assertThat(trialWindows(flat)).containsOnly(1L);
  }

  /** Tunes with a controller that alternates 8 down and 8 up, lower values preferred. */
  private void start(boolean exploring) {
    kit.optimizer()
        .tune(knob, signal)
        .controller(new AlternatingController(8, exploring))
        .objective(Objective.minimizeLatency(50))
        .start();
  }

  /** Runs {@code seconds} of 300 calls a second; returns the decisions made meanwhile. */
  private List<Decision> run(int seconds) {
    return kit.runFor(
        Duration.ofSeconds(seconds),
        SECOND,
        step -> {
          double median = sloped ? 10.0 * knob.value() : 10;
          for (int i = 0; i < 300; i++) {
            kit.time().advanceNanos(1_000_000_000L / 300 - 1);
            signal.record((long) (median * 1e6 * Math.exp(0.3 * random.nextGaussian())), false);
          }
        });
  }

  /**
   * Each decision's trial window in units of minWindow (5 s), rounded: a window ends on the first
   * tick (one a second) after it is long enough.
   */
  private static List<Long> trialWindows(List<Decision> decisions) {
    return decisions.stream().map(d -> Math.round(d.evidence().trial().seconds() / 5)).toList();
  }
}
