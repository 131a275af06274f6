package dev.optimizer.runtime.signal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SliceCounterTest {
  private static final long S = 1_000_000_000L;

  @Test
  void slicesAreCountedFromTheOrigin() {
    SliceCounter c = new SliceCounter(100, S, 16);
    assertThat(c.sliceOf(100)).isZero();
    assertThat(c.sliceOf(100 + S - 1)).isZero();
    assertThat(c.sliceOf(100 + S)).isEqualTo(1);
    assertThat(c.sliceOf(99)).isEqualTo(-1);
  }

  @Test
  void ratesBetweenCountsOnlyWholeSlicesInside() {
    SliceCounter c = new SliceCounter(0, S, 16);
    c.increment(0);
    c.increment(S + 1);
    c.increment(S + 2);
    c.increment(2 * S);
    assertThat(c.ratesBetween(0, 3 * S)).containsExactly(1.0, 2.0, 1.0);
    assertThat(c.ratesBetween(1, 3 * S)).containsExactly(2.0, 1.0);
    assertThat(c.ratesBetween(0, 3 * S - 1)).containsExactly(1.0, 2.0);
    assertThat(c.ratesBetween(S / 2, S + S / 2)).isEmpty();
    assertThat(c.ratesBetween(5, 5)).isEmpty();
  }

  @Test
  void stragglersFromASliceTheRingMovedPastAreDropped() {
    SliceCounter c = new SliceCounter(0, S, 16);
    c.increment(20 * S); // slot 4 now holds slice 20
    c.increment(4 * S); // slice 4 maps to the same slot but is older: dropped
    assertThat(c.ratesBetween(20 * S, 21 * S)).containsExactly(1.0);
  }

  @Test
  void aReusedSlotStartsFromZero() {
    SliceCounter c = new SliceCounter(0, S, 16);
    for (int i = 0; i < 5; i++) {
      c.increment(3 * S);
    }
    c.increment(19 * S); // the same slot, 16 slices later
    assertThat(c.ratesBetween(19 * S, 20 * S)).containsExactly(1.0);
    // slice 3's slot now holds slice 19: it reads as zero, not as the reused slot's count
    assertThat(c.ratesBetween(3 * S, 4 * S)).containsExactly(0.0);
  }
}
