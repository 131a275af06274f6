package dev.optimizer.benchmarks.judge;

import dev.optimizer.benchmarks.Scenario;
import dev.optimizer.benchmarks.ScenarioResult;
import dev.optimizer.benchmarks.ScenarioResult.Target;
import dev.optimizer.runtime.judge.Judge;
import dev.optimizer.runtime.judge.JudgeSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * runtime-judge: (a) trials whose change does nothing — how often the judge reverts anyway; (b)
 * trials whose p99 is 20% worse with the median unchanged, and trials whose whole distribution is
 * 20% slower — how often the judge catches them; (c) a plant whose throughput peaks at an unknown
 * concurrency — how many judged trials the hill climber needs to get within 10% of the peak
 * throughput, and how often the kept value changes direction afterwards.
 *
 * <p>Baseline: a naive threshold (revert when the median or p99 point estimate is 5% worse) on the
 * same arms, and the untuned starting value for the plant.
 */
public final class RuntimeJudgeScenario implements Scenario {
  static final int TRIALS = 1000;
  static final int SAMPLES_PER_ARM = 8000;
  static final int SMALL_ARM = 5000;

  @Override
  public String name() {
    return "runtime-judge";
  }

  @Override
  public String description() {
    return "trial judge: false reverts on no-op changes, detection of 20% regressions (tail and"
        + " shift), hill-climb convergence on a noisy USL plant";
  }

  @Override
  public ScenarioResult run(boolean quick) {
    Judge judge = new Judge(JudgeSettings.defaults());
    ScenarioResult r = new ScenarioResult();
    r.note(
        "arms",
        SAMPLES_PER_ARM + " latencies per arm, log-normal median 10 ms sigma 0.5, 0.2% errors");
    r.note("judge", judge.settings().toString());

    JudgeTrials.Counts noop = JudgeTrials.run(judge, TRIALS, SAMPLES_PER_ARM, v -> v, 1);
    JudgeTrials.Counts tail =
        JudgeTrials.run(judge, TRIALS, SAMPLES_PER_ARM, Arms.tailStretch(1.2), 2);
    JudgeTrials.Counts shift = JudgeTrials.run(judge, TRIALS, SAMPLES_PER_ARM, Arms.scale(1.2), 3);
    r.baseline("false_revert_rate (naive 5% threshold)", noop.naiveRate());
    r.optimized("false_revert_rate (naive 5% threshold)", noop.judgeRate());
    r.baseline("detection p99 +20%, median same", tail.naiveRate());
    r.optimized("detection p99 +20%, median same", tail.judgeRate());
    r.baseline("detection whole distribution +20%", shift.naiveRate());
    r.optimized("detection whole distribution +20%", shift.judgeRate());
    r.optimized("false keeps on no-op trials", (double) noop.judgeKeeps() / noop.trials());
    JudgeTrials.Counts smallTail =
        JudgeTrials.run(judge, TRIALS, SMALL_ARM, Arms.tailStretch(1.2), 4);
    r.baseline("detection p99 +20% with " + SMALL_ARM + " per arm", smallTail.naiveRate());
    r.optimized("detection p99 +20% with " + SMALL_ARM + " per arm", smallTail.judgeRate());

    int replications = quick ? 30 : 100;
    int maxRounds = 30;
    SplittableRandom random = new SplittableRandom(42);
    List<PlantExperiment.Run> runs = new ArrayList<>();
    for (int i = 0; i < replications; i++) {
      double sigma = 0.02 + 0.06 * random.nextDouble();
      int targetPeak = 8 + random.nextInt(113); // N* in [8, 120]
      double kappa = (1 - sigma) / ((double) targetPeak * targetPeak);
      UslPlant plant =
          new UslPlant(sigma, kappa, PlantExperiment.PEAK_OPS_PER_SECOND, PlantExperiment.MAX_N);
      // Half start undersized (a small default pool), half oversized.
      int start = i % 2 == 0 ? 1 + random.nextInt(8) : 120 + random.nextInt(81);
      runs.add(PlantExperiment.run(plant, start, maxRounds, 1000 + i));
    }
    int[] toWithin =
        runs.stream().mapToInt(PlantExperiment.Run::roundsToWithin10).sorted().toArray();
    int reversals = runs.stream().mapToInt(PlantExperiment.Run::reversalsAfterConvergence).sum();
    int after = runs.stream().mapToInt(PlantExperiment.Run::roundsAfterConvergence).sum();
    double startEff =
        runs.stream().mapToDouble(PlantExperiment.Run::startEfficiency).average().orElse(0);
    double finalEff =
        runs.stream().mapToDouble(PlantExperiment.Run::finalEfficiency).average().orElse(0);
    double meanAfter =
        runs.stream()
            .mapToDouble(PlantExperiment.Run::meanEfficiencyAfterConvergence)
            .filter(d -> !Double.isNaN(d))
            .average()
            .orElse(0);
    long neverConverged = Arrays.stream(toWithin).filter(v -> v == Integer.MAX_VALUE).count();
    double median = percentile(toWithin, 0.5);
    double p90 = percentile(toWithin, 0.9);
    r.baseline("plant throughput / peak (untuned start)", startEff);
    r.optimized("plant throughput / peak (final)", finalEff);
    r.optimized("plant throughput / peak after convergence (mean)", meanAfter);
    r.optimized("plant rounds to within 10% (median)", median);
    r.optimized("plant rounds to within 10% (p90)", p90);
    r.optimized("plant replications never within 10%", (double) neverConverged);
    r.note(
        "plant",
        replications
            + " USL plants, N* uniform in [8, 120], knob in [1, 200] step <= 32, start in [1, 8] or"
            + " [120, 200], 200 ops/s at the peak, 5% noise per second, windows of 10 s, "
            + maxRounds
            + " trials each; rounds_to_within_10pct is the 90th percentile over plants");
    for (PlantExperiment.Run run : runs) {
      if (run.roundsToWithin10() > 10) {
        r.note("slow plant " + run.plant() + " start " + run.start(), run.toString());
      }
    }

    r.ratio("false_revert_rate", noop.judgeRate(), Target.atMost(0.01));
    r.ratio(
        "detection_rate_20pct",
        Math.min(tail.judgeRate(), shift.judgeRate()),
        Target.atLeast(0.95));
    r.ratio("rounds_to_within_10pct", p90, Target.atMost(10));
    r.ratio(
        "reversals_per_10_rounds_after_convergence",
        after == 0 ? 0 : 10.0 * reversals / after,
        Target.atMost(1));
    r.ratio("naive_false_revert_rate", noop.naiveRate());
    r.ratio("plant_throughput_gain_vs_untuned", finalEff / startEff);
    return r;
  }

  private static double percentile(int[] sorted, double q) {
    int idx = (int) Math.ceil(q * sorted.length) - 1;
    int v = sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    return v == Integer.MAX_VALUE ? Double.POSITIVE_INFINITY : v;
  }
}
