package dev.optimizer.runtime.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.optimizer.api.ControllerInput;
import dev.optimizer.api.Distribution;
import dev.optimizer.api.Objective;
import dev.optimizer.api.Verdict;
import dev.optimizer.api.Window;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ControllersTest {
  private static final Objective TPUT = Objective.maximizeThroughput();

  private static Window latencies(double millis, int n, long errors, Map<String, Double> gauges) {
    double[] v = new double[n];
    Arrays.fill(v, millis * 1e6);
    return new Window(0, 1_000_000_000L, Distribution.of(v), n, errors, new double[0], gauges);
  }

  private static ControllerInput at(double x, Window w, Objective o) {
    return new ControllerInput(x, 1, 100, 16, 1, w, o);
  }

  @Test
  void hillClimberAcceleratesWhileMovesPayAndTurnsAroundWhenTheyHurt() {
    HillClimbController c = new HillClimbController();
    Window w = latencies(5, 10, 0, Map.of());
    double x = 10;
    double p = c.propose(at(x, w, TPUT));
    assertThat(p).isEqualTo(14); // a quarter of the step limit, upwards
    c.onOutcome(x, p, Verdict.KEEP, true);
    x = p;
    p = c.propose(at(x, w, TPUT));
    assertThat(p).isEqualTo(22); // doubled
    c.onOutcome(x, p, Verdict.REVERT, false);
    p = c.propose(at(x, w, TPUT));
    assertThat(p).isLessThan(x); // turned around after the harm
  }

  @Test
  void hillClimberProbesTheOtherSideWhenAMoveMeasuresNothing() {
    HillClimbController c = new HillClimbController();
    Window w = latencies(5, 10, 0, Map.of());
    double p = c.propose(at(50, w, TPUT));
    assertThat(p).isEqualTo(54);
    c.onOutcome(50, p, Verdict.INCONCLUSIVE, false);
    p = c.propose(at(50, w, TPUT));
    assertThat(p).isEqualTo(46);
    c.onOutcome(50, p, Verdict.INCONCLUSIVE, false);
    assertThat(c.propose(at(50, w, TPUT))).isEqualTo(58); // wider after both sides said nothing
  }

  @Test
  void hillClimberTurnsAroundAtABound() {
    HillClimbController c = new HillClimbController();
    double p = c.propose(at(100, latencies(5, 10, 0, Map.of()), TPUT));
    assertThat(p).isEqualTo(96);
  }

  @Test
  void aimdAddsWhenHealthyAndMultipliesDownOnCongestion() {
    AimdController c = new AimdController(2, 0.5, 0.01);
    Objective limited = TPUT.withLatencyLimit(99, Duration.ofMillis(50));
    assertThat(c.propose(at(40, latencies(10, 100, 0, Map.of()), limited))).isEqualTo(42);
    assertThat(c.propose(at(40, latencies(10, 100, 5, Map.of()), limited)))
        .isEqualTo(24); // 20 is beyond the step limit
    assertThat(c.propose(at(40, latencies(80, 100, 0, Map.of()), limited))).isEqualTo(24);
  }

  @Test
  void aimdBacksOffASmallWholeNumberLimit() {
    AimdController c = new AimdController();
    Window errors = latencies(10, 100, 50, Map.of());
    assertThat(c.propose(at(4, errors, TPUT))).isEqualTo(3); // 4 * 0.9 = 3.6 would round to 4
  }

  @Test
  void gradientShrinksUnderQueueingAndDoesNotGrowWhenTheLimitIsUnused() {
    GradientController c = new GradientController();
    // No-load latency 10 ms sets the baseline; the limit was used, so it grows.
    double grown =
        c.propose(
            at(
                20,
                latencies(10, 100, 0, Map.of(GradientController.INFLIGHT_MAX_GAUGE, 20.0)),
                TPUT));
    assertThat(grown).isGreaterThan(20);
    // Latency tripled: queueing; the limit shrinks.
    double shrunk =
        c.propose(
            at(
                20,
                latencies(30, 100, 0, Map.of(GradientController.INFLIGHT_MAX_GAUGE, 20.0)),
                TPUT));
    assertThat(shrunk).isLessThan(20);
    // Healthy latency but only 3 of 20 permits used: no reason to grow.
    double idle =
        c.propose(
            at(
                20,
                latencies(10, 100, 0, Map.of(GradientController.INFLIGHT_MAX_GAUGE, 3.0)),
                TPUT));
    assertThat(idle).isEqualTo(20);
  }

  @Test
  void gradientDoesNotGrowWithoutBoundUnderSustainedModerateOverload() {
    GradientController c = new GradientController();
    Map<String, Double> used = Map.of(GradientController.INFLIGHT_MAX_GAUGE, 1000.0);
    // A service that can serve 50 calls at once in 10 ms; beyond that, calls queue and latency
    // grows with the limit (Little's law). Offered load always fills the limit: a sustained,
    // moderate overload. A reference that drifts with recent latency would let the limit climb.
    double x = 20;
    double max = 0;
    for (int i = 0; i < 1000; i++) {
      double latency = 10 * Math.max(1, x / 50);
      x =
          c.propose(
              new ControllerInput(x, 1, 1000, 100, 1, latencies(latency, 100, 0, used), TPUT));
      if (i > 100) {
        max = Math.max(max, x);
      }
    }
    assertThat(max).isLessThanOrEqualTo(50 * 1.5 + Math.sqrt(75) + 1);
    assertThat(x).isGreaterThanOrEqualTo(40); // and it does use the capacity there is
  }

  @Test
  void constructorsRejectBadSettings() {
    assertThatThrownBy(() -> new HillClimbController(0, 0.5))
        .hasMessage("initialDirection must be 1 or -1, but was 0");
    assertThatThrownBy(() -> new AimdController(1, 1.5, 0.01))
        .hasMessage("backoffRatio must be in [0.1, 0.99], but was 1.5");
    assertThatThrownBy(() -> new GradientController(0.5, 0.2, 0.8, 10))
        .hasMessage("tolerance must be in [1.0, 10.0], but was 0.5");
  }
}
