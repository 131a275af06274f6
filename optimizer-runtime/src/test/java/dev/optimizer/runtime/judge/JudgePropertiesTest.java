package dev.optimizer.runtime.judge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.api.Objective;
import dev.optimizer.api.Verdict;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

class JudgePropertiesTest {

  /**
   * On identical distributions the judge must revert no more often than its nominal level (1 −
   * confidence = 1%). Each try runs 150 trials; 7 or more reverts would have probability below
   * 0.02% if the true rate were 1%.
   */
  @Property(tries = 12)
  void falseRevertRateStaysWithinTheNominalLevel(
      @ForAll long seed,
      @ForAll @DoubleRange(min = 0.1, max = 1.2) double sigma,
      @ForAll @IntRange(min = 500, max = 2500) int n,
      @ForAll("grids") double grid,
      @ForAll @DoubleRange(min = 0, max = 0.05) double errorRate,
      @ForAll("objectives") Objective objective) {
    Judge judge = new Judge(JudgeSettings.defaults());
    SplittableRandom r = new SplittableRandom(seed);
    int reverts = 0;
    for (int i = 0; i < 150; i++) {
      var base = Samples.window(r, n, 10, sigma, grid, errorRate, v -> v);
      var trial = Samples.window(r, n, 10, sigma, grid, errorRate, v -> v);
      if (judge.judge(base, trial, objective).verdict() == Verdict.REVERT) {
        reverts++;
      }
    }
    assertThat(reverts).isLessThanOrEqualTo(6);
  }

  /** The same, for keeps: the judge must not call noise an improvement either. */
  @Property(tries = 6)
  void falseKeepRateStaysWithinTheNominalLevel(@ForAll long seed) {
    Judge judge = new Judge(JudgeSettings.defaults());
    SplittableRandom r = new SplittableRandom(seed);
    int keeps = 0;
    for (int i = 0; i < 150; i++) {
      var base = Samples.window(r, 1500, v -> v);
      var trial = Samples.window(r, 1500, v -> v);
      if (judge.judge(base, trial, Objective.minimizeLatency(99)).verdict() == Verdict.KEEP) {
        keeps++;
      }
    }
    assertThat(keeps).isLessThanOrEqualTo(6);
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<Double> grids() {
    return net.jqwik.api.Arbitraries.of(0.0, 0.5, 2.0);
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<Objective> objectives() {
    return net.jqwik.api.Arbitraries.of(
        Objective.minimizeLatency(99),
        Objective.minimizeLatency(50),
        Objective.minimizeLatency(95));
  }
}
