package dev.optimizer.http.internal.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.judge.JudgeSettings;
import dev.optimizer.runtime.limit.ConcurrencyLimiter;
import dev.optimizer.runtime.limit.Permit;
import dev.optimizer.runtime.tuning.TuningSettings;
import dev.optimizer.testing.ManualTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A host's gradient limit grows when it is used, and "used" is judged from the window's peak
 * in-flight count. Traffic that reaches the limit only in bursts has a mean in-flight count far
 * below it; judged on that mean, such a limit never grew. Deterministic: manual time, the limiter
 * driven directly, every call taking the same 2 ms (so the latency gradient is 1 throughout and
 * only the utilization evidence decides).
 */
class HostLimitTest {
  private static final int INITIAL = 20;

  private final ManualTime time = ManualTime.create();
  private Optimizer optimizer;
  private HostLimit limit;

  @AfterEach
  void close() {
    if (limit != null) {
      limit.close();
    }
    if (optimizer != null) {
      optimizer.close();
    }
  }

  @Test
  void aGradientLimitReachedOnlyInBurstsGrows() throws Exception {
    optimizer =
        Optimizer.builder()
            .clock(time.clock())
            .ticker(time.ticker())
            .manualTuning()
            .judge(JudgeSettings.builder().minSamplesPerArm(20).minTailExceedances(1).build())
            .tuning(
                TuningSettings.builder()
                    .minWindow(Duration.ofMillis(1))
                    .settle(Duration.ZERO)
                    .build())
            .build();
    limit =
        new HostLimit(
            optimizer,
            "test",
            "example.org:443",
            new HostLimit.Settings(
                INITIAL, 1, 40, 100, Duration.ofSeconds(1), false, Duration.ofMillis(10)));
    ConcurrencyLimiter limiter = limit.limiter();
    optimizer.runTuningCycle(); // opens the first window

    List<Integer> limits = new ArrayList<>();
    for (int w = 0; w < 3; w++) {
      int x = limiter.limit();
      List<Integer> admitted = burstThenSingles(limiter, x, 80);
      double mean = admitted.stream().mapToInt(Integer::intValue).average().orElseThrow();
      // The premise: the limit is reached (peak = limit) while the mean is far below 0.8 of it.
      assertThat(admitted.stream().mapToInt(Integer::intValue).max().orElseThrow()).isEqualTo(x);
      assertThat(mean).as("mean in flight at admission, limit %d", x).isLessThan(0.5 * x);
      optimizer.runTuningCycle();
      limits.add(limiter.limit());
    }
    assertThat(limits)
        .as("limit after each window of bursts to the limit (from %d)", INITIAL)
        .isSortedAccordingTo(Integer::compare)
        .doesNotHaveDuplicates();
    assertThat(limits.get(0)).as("limits: %s", limits).isGreaterThan(INITIAL);
    assertThat(limit.knob.value()).isEqualTo(limits.get(limits.size() - 1));
  }

  /**
   * One burst of {@code burst} concurrent calls, then {@code singles} calls one at a time, each
   * taking 2 ms; returns the in-flight count after each admission.
   */
  private List<Integer> burstThenSingles(ConcurrencyLimiter limiter, int burst, int singles) {
    List<Integer> admitted = new ArrayList<>();
    List<Permit> permits = new ArrayList<>();
    for (int i = 0; i < burst; i++) {
      permits.add(limiter.tryAcquire().orElseThrow());
      admitted.add(limiter.inFlight());
    }
    time.advance(Duration.ofMillis(2));
    permits.forEach(Permit::onSuccess);
    for (int i = 0; i < singles; i++) {
      Permit p = limiter.tryAcquire().orElseThrow();
      admitted.add(limiter.inFlight());
      time.advance(Duration.ofMillis(2));
      p.onSuccess();
    }
    return admitted;
  }
}
