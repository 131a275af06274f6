package dev.optimizer.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PairedBlocksTest {
  /** Five blocks of three samples; blocks 3 and 4 ran at a slower machine speed (×3). */
  private static final long[] BASELINE = {
    10, 10, 10, 10, 10, 10, 10, 10, 10, 30, 30, 30, 30, 30, 30
  };

  private static final long[] OPTIMIZED = {
    11, 11, 11, 11, 11, 11, 11, 11, 11, 33, 33, 33, 33, 33, 33
  };

  @Test
  void aSpeedStepDoesNotShowInThePairedFigures() {
    // Pooled, the medians straddle the step differently (11 vs 10 here, but one block more on the
    // slow side would give 33 vs 10); paired, every block says +10%.
    assertThat(PairedBlocks.medianRatio(OPTIMIZED, BASELINE, 3)).isCloseTo(1.1, within(1e-9));
    assertThat(PairedBlocks.medianDifference(OPTIMIZED, BASELINE, 3)).isEqualTo(1.0);
  }

  @Test
  void medianLeavesItsArgumentAsItWas() {
    long[] values = {3, 1, 2};
    assertThat(PairedBlocks.median(values)).isEqualTo(2.0);
    assertThat(values).containsExactly(3, 1, 2);
  }

  @Test
  void sidesOfDifferentShapesAreRefused() {
    assertThatThrownBy(() -> PairedBlocks.medianRatio(new long[6], new long[5], 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("blocks of 3");
  }
}
