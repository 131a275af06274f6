package dev.optimizer.benchmarks.judge;

import dev.optimizer.api.Objective;
import dev.optimizer.api.Verdict;
import dev.optimizer.api.Window;
import dev.optimizer.runtime.judge.Judge;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

/** Runs paired baseline/trial arms through the judge and the naive threshold, counting reverts. */
final class JudgeTrials {
  record Counts(int trials, int judgeReverts, int naiveReverts, int judgeKeeps) {
    double judgeRate() {
      return (double) judgeReverts / trials;
    }

    double naiveRate() {
      return (double) naiveReverts / trials;
    }
  }

  private JudgeTrials() {}

  static Counts run(
      Judge judge, int trials, int samplesPerArm, DoubleUnaryOperator trialTransform, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    Objective objective = Objective.minimizeLatency(99).withMaxErrorRate(0.05);
    int judgeReverts = 0;
    int naiveReverts = 0;
    int keeps = 0;
    for (int i = 0; i < trials; i++) {
      Window baseline = Arms.arm(random, samplesPerArm, v -> v);
      Window trial = Arms.arm(random, samplesPerArm, trialTransform);
      Verdict v = judge.judge(baseline, trial, objective).verdict();
      if (v == Verdict.REVERT) {
        judgeReverts++;
      } else if (v == Verdict.KEEP) {
        keeps++;
      }
      if (NaiveJudge.judge(baseline, trial) == Verdict.REVERT) {
        naiveReverts++;
      }
    }
    return new Counts(trials, judgeReverts, naiveReverts, keeps);
  }
}
