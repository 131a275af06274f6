package dev.optimizer.benchmarks.judge;

import dev.optimizer.api.Verdict;
import dev.optimizer.api.Window;

/**
 * The baseline the judge is compared with: what a dashboard threshold does — compare point
 * estimates and revert when the trial's median or p99 is more than 5% above the baseline's, or its
 * error rate more than 0.1 points higher. No notion of noise.
 */
final class NaiveJudge {
  private NaiveJudge() {}

  static Verdict judge(Window baseline, Window trial) {
    double m0 = baseline.latencyPercentileNanos(50);
    double m1 = trial.latencyPercentileNanos(50);
    double t0 = baseline.latencyPercentileNanos(99);
    double t1 = trial.latencyPercentileNanos(99);
    if (m1 > 1.05 * m0 || t1 > 1.05 * t0 || trial.errorRate() > baseline.errorRate() + 0.001) {
      return Verdict.REVERT;
    }
    if (m1 < 0.95 * m0 || t1 < 0.95 * t0) {
      return Verdict.KEEP;
    }
    return Verdict.INCONCLUSIVE;
  }
}
