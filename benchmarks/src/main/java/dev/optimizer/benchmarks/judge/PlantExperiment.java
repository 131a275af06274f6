package dev.optimizer.benchmarks.judge;

import dev.optimizer.api.Decision;
import dev.optimizer.api.Knob;
import dev.optimizer.api.Objective;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.control.HillClimbController;
import dev.optimizer.runtime.judge.JudgeSettings;
import dev.optimizer.runtime.signal.LatencySignal;
import dev.optimizer.runtime.tuning.TuningSettings;
import dev.optimizer.testing.OptimizerTestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Tunes a concurrency knob against a {@link UslPlant} through the real engine — Optimizer, hill
 * climber, judge, LatencySignal — in virtual time. Each virtual second the plant completes its
 * throughput at the knob's value (with 5% multiplicative noise per second), each operation with a
 * latency from Little's law (N / X) and log-normal noise.
 */
final class PlantExperiment {
  static final int MAX_N = 200;
  static final double PEAK_OPS_PER_SECOND = 200;

  /** What one replication measured. */
  record Run(
      UslPlant plant,
      int start,
      int roundsToWithin10,
      int rounds,
      int reversalsAfterConvergence,
      int roundsAfterConvergence,
      double startEfficiency,
      double finalEfficiency,
      double meanEfficiencyAfterConvergence,
      int finalValue) {}

  private PlantExperiment() {}

  static Run run(UslPlant plant, int start, int maxRounds, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    try (OptimizerTestKit kit =
        OptimizerTestKit.builder()
            .judge(JudgeSettings.builder().minSamplesPerArm(500).minSlicesPerArm(6).build())
            .tuning(
                TuningSettings.builder()
                    .tickInterval(Duration.ofSeconds(1))
                    .minWindow(Duration.ofSeconds(10))
                    .maxWindow(Duration.ofSeconds(60))
                    .settle(Duration.ofSeconds(2))
                    .maxBackoffWindows(8)
                    .build())
            .build()) {
      Optimizer optimizer = kit.optimizer();
      Knob<Integer> knob =
          Knob.ofInt("plant.concurrency", start).range(1, MAX_N).maxStep(32).build();
      LatencySignal signal = LatencySignal.builder("plant").ticker(kit.time().ticker()).build();
      optimizer
          .tune(knob, signal)
          .controller(new HillClimbController())
          .objective(Objective.maximizeThroughput())
          .start();

      int roundsToWithin = plant.efficiency(start) >= 0.9 ? 0 : -1;
      List<Decision> kept = new ArrayList<>();
      int rounds = 0;
      double effSum = 0;
      int effCount = 0;
      long maxSeconds = 6L * 3600;
      for (long second = 0; second < maxSeconds && rounds < maxRounds; second++) {
        int n = knob.value();
        double x = plant.throughput(n) * Math.max(0.1, 1 + 0.05 * random.nextGaussian());
        int ops = (int) Math.round(x);
        long gap = ops == 0 ? 1_000_000_000L : 1_000_000_000L / ops;
        double meanLatency = n / plant.throughput(n); // Little's law, seconds
        for (int i = 0; i < ops; i++) {
          kit.time().advanceNanos(gap);
          signal.recordSuccess((long) (meanLatency * 1e9 * Math.exp(0.3 * random.nextGaussian())));
        }
        kit.time().advanceNanos(1_000_000_000L - gap * ops);
        for (Decision d : optimizer.runTuningCycle()) {
          rounds++;
          if (d.kept()) {
            kept.add(d);
          }
          if (roundsToWithin < 0 && plant.efficiency(knob.value()) >= 0.9) {
            roundsToWithin = rounds;
          }
        }
        if (roundsToWithin >= 0) {
          effSum += plant.efficiency(knob.value());
          effCount++;
        }
      }
      int reversals = 0;
      int lastDirection = 0;
      int convergedAt = Math.max(roundsToWithin, 0);
      for (Decision d : kept) {
        if (d.round() <= convergedAt) {
          lastDirection = (int) Math.signum(d.toNumber() - d.fromNumber());
          continue;
        }
        int dir = (int) Math.signum(d.toNumber() - d.fromNumber());
        if (lastDirection != 0 && dir != lastDirection) {
          reversals++;
        }
        lastDirection = dir;
      }
      return new Run(
          plant,
          start,
          roundsToWithin < 0 ? Integer.MAX_VALUE : roundsToWithin,
          rounds,
          reversals,
          roundsToWithin < 0 ? 0 : rounds - roundsToWithin,
          plant.efficiency(start),
          plant.efficiency(knob.value()),
          effCount == 0 ? Double.NaN : effSum / effCount,
          knob.value());
    }
  }
}
