package dev.optimizer.ai.semantic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BoostedGuardTest {

  /**
   * Pairs whose label is an interaction: a differing number is fatal only to a near-copy (cosine
   * over 0.95); below that, only the cosine counts. A weighted sum cannot say "only when".
   */
  private static List<FeatureGuard.Example> interaction(long seed, int n) {
    Random r = new Random(seed);
    List<FeatureGuard.Example> ex = new ArrayList<>();
    int numbers = FeatureGuard.FEATURES.indexOf("numbers");
    int closeness = FeatureGuard.FEATURES.indexOf("closeness");
    for (int i = 0; i < n; i++) {
      double sim = 0.8 + 0.2 * r.nextDouble();
      boolean numbersDiffer = r.nextBoolean();
      boolean same = sim > 0.95 ? !numbersDiffer : sim > 0.875;
      double[] f = new double[FeatureGuard.FEATURES.size()];
      f[numbers] = numbersDiffer ? 1 : 0;
      f[closeness] = -Math.log(Math.max(1e-4, 1 - sim));
      ex.add(new FeatureGuard.Example(sim, f, same));
    }
    return ex;
  }

  private static double accuracy(PrecisionGuardScore guard, List<FeatureGuard.Example> ex) {
    int right = 0;
    for (FeatureGuard.Example e : ex) {
      right += (guard.score(e) >= 0.5) == e.same() ? 1 : 0;
    }
    return right / (double) ex.size();
  }

  private interface PrecisionGuardScore {
    double score(FeatureGuard.Example e);
  }

  @Test
  void learnsAnInteractionThatALinearGuardCannot() {
    List<FeatureGuard.Example> train = interaction(1, 4000);
    List<FeatureGuard.Example> test = interaction(2, 2000);
    BoostedGuard boosted = BoostedGuard.fit(train);
    FeatureGuard linear = FeatureGuard.fit(train, Set.of("numbers"));

    double boostedAccuracy = accuracy(boosted::score, test);
    assertThat(boostedAccuracy).isGreaterThan(0.97);
    assertThat(accuracy(linear::score, test)).isLessThan(boostedAccuracy - 0.05);
  }

  @Test
  void scoresReadTheTextsTheirFeaturesComeFrom() {
    List<FeatureGuard.Example> train = interaction(3, 4000);
    BoostedGuard guard = BoostedGuard.fit(train);

    double near = guard.score("Is 7 a prime number?", "is 7 a prime number", 0.99);
    double numberDiffers = guard.score("Is 7 a prime number?", "Is 9 a prime number?", 0.99);
    assertThat(near).isGreaterThan(0.9);
    assertThat(numberDiffers).isLessThan(0.1);
    assertThat(guard.score("Is 7 a prime number?", "Is 9 a prime number?", 0.9))
        .as("below 0.95 only the cosine counts")
        .isGreaterThan(0.5);
  }

  @Test
  void fittingIsDeterministic() {
    List<FeatureGuard.Example> train = interaction(4, 1000);
    BoostedGuard a = BoostedGuard.fit(train);
    BoostedGuard b = BoostedGuard.fit(train);
    for (FeatureGuard.Example e : interaction(5, 200)) {
      assertThat(a.score(e)).isEqualTo(b.score(e));
      assertThat(a.score(e)).isStrictlyBetween(0.0, 1.0);
    }
  }

  @Test
  void badInputIsRefusedByName() {
    assertThatThrownBy(() -> BoostedGuard.fit(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("both labels");
    List<FeatureGuard.Example> oneLabel = new ArrayList<>(interaction(6, 50));
    oneLabel.removeIf(e -> !e.same());
    assertThatThrownBy(() -> BoostedGuard.fit(oneLabel))
        .hasMessageContaining("both labels")
        .hasMessageContaining("positive of " + oneLabel.size());
    List<FeatureGuard.Example> shortRow = new ArrayList<>(interaction(7, 50));
    shortRow.add(new FeatureGuard.Example(0.9, new double[3], true));
    assertThatThrownBy(() -> BoostedGuard.fit(shortRow))
        .hasMessageContaining("examples[50].features must hold " + FeatureGuard.FEATURES.size())
        .hasMessageContaining("but held 3");
    List<FeatureGuard.Example> nanRow = new ArrayList<>(interaction(9, 50));
    double[] f = new double[FeatureGuard.FEATURES.size()];
    f[FeatureGuard.FEATURES.indexOf("edit")] = Double.NaN;
    nanRow.add(new FeatureGuard.Example(0.9, f, true));
    assertThatThrownBy(() -> BoostedGuard.fit(nanRow))
        .hasMessage("examples[50].features.edit must be finite, but was NaN");
    assertThatThrownBy(() -> BoostedGuard.fit(interaction(10, 30)))
        .hasMessage(
            "examples must number at least 2 * minLeaf (40) for a tree to split, but were 30");
    BoostedGuard fitted = BoostedGuard.fit(interaction(11, 200));
    assertThatThrownBy(() -> fitted.score(new FeatureGuard.Example(0.9, new double[2], true)))
        .hasMessageContaining("example.features must hold " + FeatureGuard.FEATURES.size());
    assertThatThrownBy(() -> new BoostedGuard.Settings(0, 3, 0.1, 20))
        .hasMessage("rounds must be in [1, 10000], but was 0");
    assertThatThrownBy(() -> new BoostedGuard.Settings(10, 9, 0.1, 20))
        .hasMessage("depth must be in [1, 8], but was 9");
    assertThatThrownBy(() -> new BoostedGuard.Settings(10, 3, 0.0, 20))
        .hasMessage("learningRate must be in (0, 1], but was 0.0");
    assertThatThrownBy(() -> new BoostedGuard.Settings(10, 3, Double.NaN, 20))
        .hasMessageContaining("learningRate");
    assertThatThrownBy(() -> new BoostedGuard.Settings(10, 3, 0.1, 0))
        .hasMessage("minLeaf must be in [1, 100000], but was 0");
  }

  @Test
  void settingsShapeTheEnsemble() {
    BoostedGuard guard =
        BoostedGuard.fit(interaction(8, 500), new BoostedGuard.Settings(7, 2, 0.3, 5));
    assertThat(guard.settings()).isEqualTo(new BoostedGuard.Settings(7, 2, 0.3, 5));
    assertThat(guard.toString()).contains("trees=7", "depth=2");
  }
}
