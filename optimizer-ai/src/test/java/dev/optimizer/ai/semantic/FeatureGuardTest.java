package dev.optimizer.ai.semantic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FeatureGuardTest {

  @Test
  void swappedNumbersAreVetoed() {
    assertThat(FeatureGuard.defaults().score("What is 10 minus 3?", "What is 3 minus 10?", 0.999))
        .isLessThan(0.5);
  }

  @Test
  void defaultGuardScoresMismatchesBelowTheSameSimilarity() {
    FeatureGuard g = FeatureGuard.defaults();
    double same =
        g.score(
            "How do I convert ethanol to ethanoic acid?",
            "how do i convert ethanol to ethanoic acid",
            0.999);
    assertThat(
            g.score(
                "How do I convert ethanol to ethanoic acid?",
                "How do I convert ethanoic acid to ethanol?",
                0.999))
        .isLessThan(same);
    assertThat(g.score("Is 7 a prime number?", "Is 9 a prime number?", 0.999)).isLessThan(same);
    assertThat(g.score("Why can't I sleep?", "Why can I sleep?", 0.999)).isLessThan(same);
    assertThat(same).isGreaterThanOrEqualTo(SemanticCacheBuilder.DEFAULT_DECISION_THRESHOLD);
    assertThat(g.score("Is 7 a prime number?", "Is 9 a prime number?", 1.0))
        .isLessThan(SemanticCacheBuilder.DEFAULT_DECISION_THRESHOLD);
  }

  @Test
  void fitLearnsThatAMismatchLowersTheScore() {
    Random r = new Random(1);
    List<FeatureGuard.Example> ex = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      double sim = 0.8 + 0.2 * r.nextDouble();
      boolean numbersDiffer = r.nextBoolean();
      boolean same = !numbersDiffer && r.nextDouble() < sim;
      double[] f = new double[FeatureGuard.FEATURES.size()];
      f[FeatureGuard.FEATURES.indexOf("numbers")] = numbersDiffer ? 1 : 0;
      ex.add(new FeatureGuard.Example(sim, f, same));
    }
    FeatureGuard g = FeatureGuard.fit(ex, Set.of("numbers"));
    assertThat(g.weights().get("numbers")).isLessThan(-2);
    assertThat(g.similarityWeight()).isPositive();
    assertThat(g.weights().get("negation")).isZero();
  }

  @Test
  void badSettingsAreRefusedByName() {
    assertThatThrownBy(() -> FeatureGuard.of(0, 1, Map.of("colour", 1.0)))
        .hasMessageContaining("colour")
        .hasMessageContaining("numbers");
    assertThatThrownBy(() -> FeatureGuard.of(Double.NaN, 1, Map.of()))
        .hasMessage("bias must be in [-1000000.0, 1000000.0], but was NaN");
    assertThatThrownBy(() -> FeatureGuard.fit(List.of(), Set.of()))
        .hasMessageContaining("both labels");
  }

  @Test
  void explicitWeightsAreUsed() {
    FeatureGuard g = FeatureGuard.of(0, 0, Map.of("numbers", -10.0));
    assertThat(g.score("2 cats", "3 cats", 1.0)).isLessThan(0.001);
    assertThat(g.score("2 cats", "2 cats", 1.0)).isEqualTo(0.5);
  }
}
