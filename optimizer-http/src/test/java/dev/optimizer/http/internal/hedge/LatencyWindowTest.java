package dev.optimizer.http.internal.hedge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class LatencyWindowTest {

  @Property
  void selectFindsWhatASortWouldPutAtTheIndex(
      @ForAll @Size(min = 1, max = 300) long[] values, @ForAll @IntRange(max = 299) int k) {
    int index = k % values.length;
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    long[] work = values.clone();
    assertThat(LatencyWindow.select(work, 0, work.length - 1, index)).isEqualTo(sorted[index]);
    for (int i = 0; i < work.length; i++) { // partitioned around the index
      if (i < index) {
        assertThat(work[i]).isLessThanOrEqualTo(sorted[index]);
      } else if (i > index) {
        assertThat(work[i]).isGreaterThanOrEqualTo(sorted[index]);
      }
    }
  }

  @Property
  void theDelayIsThePercentileOrTwiceTheMedianClamped(
      @ForAll @Size(min = 193, max = 193) long[] raw,
      @ForAll @IntRange(min = 1, max = 12) int m,
      @ForAll @LongRange(min = 0, max = 1_000) long min) {
    // 16m + 1 samples: the window (refreshed every size/16 = m samples after the first) is
    // refreshed by the last one.
    long[] latencies =
        Arrays.stream(raw).limit(16L * m + 1).map(v -> Math.floorMod(v, 10_000L)).toArray();
    LatencyWindow w = new LatencyWindow(latencies.length, 95, min, 15_000, 1);
    for (long v : latencies) {
      w.record(v);
    }
    long[] sorted = latencies.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(0.95 * sorted.length) - 1;
    long expected = Math.max(sorted[rank], 2 * sorted[sorted.length / 2]);
    assertThat(w.delayNanos()).isEqualTo(Math.max(min, Math.min(15_000, expected)));
  }

  @Example
  void noDelayBeforeTheWarmUp() {
    LatencyWindow w = new LatencyWindow(64, 95, 0, Long.MAX_VALUE, 10);
    for (int i = 0; i < 9; i++) {
      w.record(1_000);
    }
    assertThat(w.delayNanos()).isEqualTo(-1);
    w.record(1_000);
    assertThat(w.delayNanos()).isEqualTo(2_000); // twice the median beats the p95 of equal values
  }
}
