package dev.optimizer.runtime.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.api.Controller;
import dev.optimizer.api.ControllerInput;
import dev.optimizer.api.Distribution;
import dev.optimizer.api.Objective;
import dev.optimizer.api.Verdict;
import dev.optimizer.api.Window;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Every controller stays within its bounds and step limit, whatever the signals and verdicts. */
class ControllerPropertiesTest {

  @Property(tries = 300)
  void proposalsNeverLeaveBoundsOrStepLimit(
      @ForAll("controllers") String kind,
      @ForAll long seed,
      @ForAll @IntRange(min = 0, max = 500) int min,
      @ForAll @IntRange(min = 0, max = 500) int width,
      @ForAll @IntRange(min = 1, max = 64) int maxStep,
      @ForAll boolean wholeNumbers) {
    Controller c = create(kind);
    SplittableRandom r = new SplittableRandom(seed);
    double lo = min;
    double hi = min + width;
    double granularity = wholeNumbers ? 1 : 0;
    double current = lo + r.nextInt(width + 1);
    Objective objective =
        r.nextBoolean()
            ? Objective.maximizeThroughput()
            : Objective.minimizeLatency(99).withLatencyLimit(99, Duration.ofMillis(20));
    for (int step = 0; step < 60; step++) {
      ControllerInput in =
          new ControllerInput(current, lo, hi, maxStep, granularity, randomWindow(r), objective);
      double p = c.propose(in);
      assertThat(p).isBetween(lo, hi);
      assertThat(Math.abs(p - current)).isLessThanOrEqualTo(maxStep + 1e-9);
      if (wholeNumbers) {
        assertThat(p).isEqualTo(Math.rint(p));
      }
      Verdict v = Verdict.values()[r.nextInt(3)];
      boolean kept = v == Verdict.KEEP || (v == Verdict.INCONCLUSIVE && r.nextBoolean());
      c.onOutcome(current, p, v, kept);
      if (kept) {
        current = p;
      }
    }
  }

  @Provide
  Arbitrary<String> controllers() {
    return Arbitraries.of(List.of("hill", "aimd", "gradient"));
  }

  private static Controller create(String kind) {
    return switch (kind) {
      case "hill" -> new HillClimbController();
      case "aimd" -> new AimdController(3, 0.5, 0.01);
      default -> new GradientController();
    };
  }

  /** Anything from an idle window to a window of errors and huge latencies. */
  private static Window randomWindow(SplittableRandom r) {
    int n = r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(300);
    double scale = Math.pow(10, r.nextInt(7)) * 1000; // 1 us .. 1000 s in nanoseconds
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = scale * Math.exp(r.nextGaussian());
    }
    long errors = n == 0 ? 0 : r.nextInt(n + 1);
    Map<String, Double> gauges =
        r.nextBoolean()
            ? Map.of(GradientController.INFLIGHT_MAX_GAUGE, r.nextDouble() * 600)
            : Map.of();
    return new Window(0, 1_000_000_000L, Distribution.of(v), n, errors, new double[0], gauges);
  }
}
