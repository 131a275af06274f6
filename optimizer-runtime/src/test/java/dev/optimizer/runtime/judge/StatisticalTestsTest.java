package dev.optimizer.runtime.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.optimizer.api.Distribution;
import org.junit.jupiter.api.Test;

class StatisticalTestsTest {

  @Test
  void fisherExactMatchesTheTeaTastingTable() {
    // Fisher's lady tasting tea: 3 of 4 right in each arm's sense; one-sided p = 17/70.
    double p = ExactProportionTest.pTrialHigher(1, 4, 3, 4);
    assertThat(p).isCloseTo(17.0 / 70.0, within(1e-9));
  }

  @Test
  void fisherExactIsOneWhenTheTrialHasFewerEvents() {
    assertThat(ExactProportionTest.pTrialHigher(5, 100, 0, 100)).isEqualTo(1.0);
    assertThat(ExactProportionTest.pTrialHigher(0, 100, 0, 100)).isEqualTo(1.0);
  }

  @Test
  void fisherLowerTailMirrorsTheUpperTail() {
    double higher = ExactProportionTest.pTrialHigher(2, 50, 9, 50);
    double lower = ExactProportionTest.pTrialLower(9, 50, 2, 50);
    assertThat(lower).isCloseTo(higher, within(1e-9));
  }

  @Test
  void normalTailMatchesKnownQuantiles() {
    assertThat(Stats.normalUpperTail(0)).isCloseTo(0.5, within(1e-7));
    assertThat(Stats.normalUpperTail(1.6448536)).isCloseTo(0.05, within(1e-6));
    assertThat(Stats.normalUpperTail(2.3263479)).isCloseTo(0.01, within(1e-6));
    assertThat(Stats.normalUpperTail(-1.959964)).isCloseTo(0.975, within(1e-6));
  }

  @Test
  void logGammaMatchesFactorials() {
    assertThat(Stats.logGamma(1)).isCloseTo(0, within(1e-12));
    assertThat(Stats.logGamma(6)).isCloseTo(Math.log(120), within(1e-10));
    assertThat(Stats.logGamma(0.5)).isCloseTo(Math.log(Math.sqrt(Math.PI)), within(1e-10));
  }

  @Test
  void rankSumMatchesAPermutationCountOnASmallSample() {
    // Baseline {1,2,3,4}, trial {3,5,6}: U(trial) counts pairs y > x plus half ties = 10.5.
    Grouped b = Grouped.of(Distribution.of(1, 2, 3, 4));
    Grouped t = Grouped.of(Distribution.of(3, 5, 6));
    RankSumTest.Result r = RankSumTest.test(b, t);
    assertThat(r.u()).isCloseTo(10.5, within(1e-12));
    assertThat(r.pTrialLarger()).isLessThan(r.pTrialSmaller());
  }

  @Test
  void rankSumGivesNoEvidenceWhenEveryValueTies() {
    RankSumTest.Result r =
        RankSumTest.test(
            Grouped.of(Distribution.of(5, 5, 5, 5)), Grouped.of(Distribution.of(5, 5, 5)));
    assertThat(r.pTrialLarger()).isEqualTo(1);
    assertThat(r.pTrialSmaller()).isEqualTo(1);
  }

  @Test
  void hodgesLehmannRecoversAConstantShift() {
    double[] base = new double[200];
    double[] trial = new double[200];
    for (int i = 0; i < 200; i++) {
      base[i] = 10 + Math.sin(i) * 3 + i * 0.01;
      trial[i] = base[i] + 2.5;
    }
    double shift =
        RankSumTest.hodgesLehmannShift(
            Grouped.of(Distribution.of(base)), Grouped.of(Distribution.of(trial)));
    assertThat(shift).isCloseTo(2.5, within(1e-6));
  }

  @Test
  void pooledQuantileSeesBothSamples() {
    Grouped a = Grouped.of(Distribution.of(1, 2, 3, 4, 5));
    Grouped b = Grouped.of(Distribution.of(6, 7, 8, 9, 10));
    assertThat(Grouped.pooledQuantile(a, b, 0.5)).isEqualTo(5);
    assertThat(Grouped.pooledQuantile(a, b, 0.9)).isEqualTo(9);
    assertThat(a.countAbove(3)).isEqualTo(2);
  }
}
