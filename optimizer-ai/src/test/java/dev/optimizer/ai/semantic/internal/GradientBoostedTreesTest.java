package dev.optimizer.ai.semantic.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class GradientBoostedTreesTest {

  @Test
  void valuesOnACutPointRouteAsTheyDidWhenFitted() {
    // Two values only, so the single cut is one of them: fitting and prediction must agree on
    // which side a value equal to the cut goes, -0.0 included.
    int n = 400;
    double[][] x = new double[n][];
    boolean[] y = new boolean[n];
    for (int i = 0; i < n; i++) {
      boolean positive = i % 2 == 0;
      x[i] = new double[] {positive ? 1.0 : (i % 4 == 1 ? -0.0 : 0.0)};
      y[i] = positive;
    }
    GradientBoostedTrees t = GradientBoostedTrees.fit(x, y, 50, 2, 0.3, 5, 32);
    assertThat(t.margin(new double[] {1.0})).isGreaterThan(3);
    assertThat(t.margin(new double[] {0.0})).isLessThan(-3);
    assertThat(t.margin(new double[] {-0.0})).isEqualTo(t.margin(new double[] {0.0}));
  }

  @Test
  void aConstantColumnOrTooFewRowsGiveTheBaseRate() {
    Random r = new Random(3);
    double[][] x = new double[30][];
    boolean[] y = new boolean[30];
    for (int i = 0; i < x.length; i++) {
      x[i] = new double[] {7.0, r.nextDouble()};
      y[i] = i < 10;
    }
    double baseRate = Math.log(10 / 20.0);
    GradientBoostedTrees constant =
        GradientBoostedTrees.fit(
            new double[][] {{1}, {1}, {1}, {1}},
            new boolean[] {true, false, true, false},
            5,
            3,
            0.1,
            1,
            32);
    assertThat(constant.margin(new double[] {1})).isCloseTo(0.0, within(1e-12));
    GradientBoostedTrees few = GradientBoostedTrees.fit(x, y, 5, 3, 0.1, 20, 32);
    assertThat(few.margin(new double[] {7.0, 0.5})).isCloseTo(baseRate, within(1e-12));
    assertThat(few.trees()).isEqualTo(5);
    assertThat(few.width()).isEqualTo(2);
  }

  @Test
  void learnsAThresholdAndRefusesRowsOfTheWrongWidth() {
    Random r = new Random(5);
    int n = 2000;
    double[][] x = new double[n][];
    boolean[] y = new boolean[n];
    for (int i = 0; i < n; i++) {
      double v = r.nextDouble();
      x[i] = new double[] {v, r.nextDouble()};
      y[i] = v > 0.6;
    }
    GradientBoostedTrees t = GradientBoostedTrees.fit(x, y, 100, 2, 0.2, 10, 32);
    assertThat(t.margin(new double[] {0.9, 0.1})).isPositive();
    assertThat(t.margin(new double[] {0.3, 0.9})).isNegative();
    assertThatThrownBy(() -> t.margin(new double[] {0.5}))
        .hasMessage("row must have 2 features, but had 1");
  }
}
