package dev.optimizer.db.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
  static final long MICROSECOND = 1_000;
  static final long HOUR = 3_600_000_000_000L;
  private static final double ERROR = 1.0 / 64; // half a bucket: 1/32 of a power of two

  /**
   * A query of about 70 µs (log-normal, σ 0.4) with 0.1% outliers spread from 1 ms to 200 ms: what
   * a statement's latencies look like after a long run.
   */
  static long[] query(int n, long seed) {
    Random r = new Random(seed);
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] =
          r.nextDouble() < 0.001
              ? logUniform(r, 1_000_000, 200_000_000)
              : (long) (70_000 * Math.exp(0.4 * r.nextGaussian()));
    }
    return out;
  }

  /** Values spread evenly on a log scale from a microsecond to an hour: the worst case. */
  static long[] everything(int n, long seed) {
    Random r = new Random(seed);
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = logUniform(r, MICROSECOND, HOUR);
    }
    return out;
  }

  private static long logUniform(Random r, long low, long high) {
    return Math.min(
        high, (long) Math.exp(Math.log(low) + r.nextDouble() * (Math.log(high) - Math.log(low))));
  }

  /** The exact value at a percentile, ranked as HdrHistogram and the histogram rank it. */
  private static long exact(long[] sorted, double percentile) {
    long rank = Math.max(1, (long) Math.ceil(percentile * sorted.length / 100.0));
    return sorted[(int) rank - 1];
  }

  private static void assertPercentilesWithinHalfABucket(long[] values) {
    LatencyHistogram h = new LatencyHistogram();
    for (long v : values) {
      h.record(v);
    }
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    double[] percentiles = {0, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100};
    long[] reported = h.valuesAtPercentiles(percentiles);
    for (int i = 0; i < percentiles.length; i++) {
      long want = exact(sorted, percentiles[i]);
      assertThat((double) Math.abs(reported[i] - want))
          .as("p%s: reported %d, exact %d", percentiles[i], reported[i], want)
          .isLessThanOrEqualTo(want * ERROR);
    }
    assertThat(h.max()).isEqualTo(sorted[sorted.length - 1]);
    assertThat(h.count()).isEqualTo(values.length);
  }

  @Test
  void percentilesOfAKnownDistributionAreWithinOneAndAHalfPercent() {
    assertPercentilesWithinHalfABucket(query(1_000_000, 1));
    assertPercentilesWithinHalfABucket(everything(1_000_000, 2));
  }

  @Test
  void anyValueFromAMicrosecondToAnHourIsReportedWithinOneAndAHalfPercentAndItsMaxExactly() {
    for (long v = MICROSECOND; v <= HOUR; v = v + v / 997 + 1) {
      LatencyHistogram h = new LatencyHistogram();
      h.record(v);
      long[] p = h.valuesAtPercentiles(50, 99);
      assertThat((double) Math.abs(p[0] - v)).as("value %d: p50 %d", v, p[0]).isLessThan(v * ERROR);
      assertThat(p[1]).isEqualTo(p[0]);
      assertThat(h.max()).isEqualTo(v);
    }
  }

  @Test
  void valuesOutsideTheRangeAreCountedAtItsEnds() {
    LatencyHistogram h = new LatencyHistogram();
    assertThat(h.valuesAtPercentiles(50, 99)).containsExactly(0, 0);
    assertThat(h.max()).isZero();
    h.record(-5);
    h.record(0);
    assertThat(h.valuesAtPercentiles(50)).containsExactly(1);
    h.record(2 * HOUR);
    h.record(2 * HOUR);
    h.record(2 * HOUR);
    long p99 = h.valuesAtPercentiles(99)[0];
    assertThat((double) Math.abs(p99 - HOUR)).isLessThanOrEqualTo(HOUR * ERROR);
    assertThat(h.max()).isEqualTo(2 * HOUR); // the slowest execution as it was
    assertThat(h.count()).isEqualTo(5);
  }

  @Test
  void aCounterPastFourBillionCarriesIntoTheHighBits() {
    LatencyHistogram h = new LatencyHistogram();
    for (int i = 0; i < 3; i++) {
      h.record(1_000, Integer.MAX_VALUE); // 6.4 billion in one bucket: past an unsigned int
    }
    h.record(1_000_000, Integer.MAX_VALUE);
    long total = 4L * Integer.MAX_VALUE;
    assertThat(h.count()).isEqualTo(total);
    // 70% of the values is 6.0 billion: still the first bucket, which a lost carry would leave
    // with 2.1 billion of 4.3.
    long[] p = h.valuesAtPercentiles(70, 80);
    assertThat(p[0]).isBetween(990L, 1_010L);
    assertThat(p[1]).isBetween(990_000L, 1_010_000L);
  }

  @Test
  void concurrentRecordersLoseNothingAndAConcurrentReaderSeesSaneValues() throws Exception {
    LatencyHistogram h = new LatencyHistogram();
    int threads = 4;
    int each = 200_000;
    CountDownLatch start = new CountDownLatch(1);
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread w =
          new Thread(
              () -> {
                try {
                  start.await();
                  for (int i = 0; i < each; i++) {
                    h.record(i % 100 == 0 ? 5_000_000 : 50_000); // 1% at 5 ms
                  }
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                }
              });
      w.start();
      writers.add(w);
    }
    Thread reader =
        new Thread(
            () -> {
              try {
                List<Long> sane = List.of(50_000L, 5_000_000L, nearest(50_000), nearest(5_000_000));
                start.await();
                int snapshots = 0;
                while (!done.get() || snapshots == 0) {
                  long[] p = h.valuesAtPercentiles(50, 99, 100);
                  long max = h.max();
                  assertThat(p[0]).isLessThanOrEqualTo(p[1]);
                  assertThat(p[1]).isLessThanOrEqualTo(p[2]);
                  assertThat(p[2]).isLessThanOrEqualTo(max);
                  if (p[2] > 0) { // 0s before the first value
                    for (long v : p) {
                      assertThat(sane).contains(v);
                    }
                  }
                  snapshots++;
                }
              } catch (Throwable e) {
                failure.compareAndSet(null, e);
              }
            });
    reader.start();
    start.countDown();
    for (Thread w : writers) {
      w.join();
    }
    done.set(true);
    reader.join();
    assertThat(failure.get()).isNull();
    assertThat(h.count()).isEqualTo((long) threads * each);
    long[] p = h.valuesAtPercentiles(50, 98.9, 99.1);
    assertThat(p[0]).isEqualTo(nearest(50_000));
    assertThat(p[1]).isEqualTo(nearest(50_000));
    assertThat(p[2]).isEqualTo(5_000_000); // its bucket's midpoint is above: capped at the max
    assertThat(h.max()).isEqualTo(5_000_000);
  }

  /** What the histogram reports for a value among larger ones: its bucket's midpoint. */
  private static long nearest(long v) {
    LatencyHistogram h = new LatencyHistogram();
    h.record(v);
    h.record(HOUR);
    return h.valuesAtPercentiles(50)[0];
  }

  @Test
  void aStatementsHistogramTakesAFewKilobytesAndTheEstimateMatchesWhatIsAllocated() {
    long[] query = query(300_000, 3);
    long[] everything = everything(300_000, 4);
    LatencyHistogram q = new LatencyHistogram();
    LatencyHistogram e = new LatencyHistogram();
    for (int i = 0; i < query.length; i++) {
      q.record(query[i]);
      e.record(everything[i]);
    }
    // Measured on this code: 2,376 and 4,968 bytes (a fixed-range AtomicHistogram: 37,376).
    assertThat(q.footprintBytes()).isLessThanOrEqualTo(2_600);
    assertThat(e.footprintBytes()).isLessThanOrEqualTo(5_200);

    com.sun.management.ThreadMXBean threads = allocationCounter();
    int n = 20;
    LatencyHistogram[] hs = new LatencyHistogram[n];
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < n; i++) {
      hs[i] = new LatencyHistogram();
      for (long v : query) {
        hs[i].record(v);
      }
    }
    long perHistogram = (threads.getCurrentThreadAllocatedBytes() - before) / n;
    long estimate = hs[0].footprintBytes();
    assertThat(perHistogram).isBetween(estimate * 9 / 10, estimate + 256);
  }

  /** HotSpot's per-thread allocation counter; the test is skipped on a JVM without one. */
  static com.sun.management.ThreadMXBean allocationCounter() {
    java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    assumeThat(bean).isInstanceOf(com.sun.management.ThreadMXBean.class);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
    assumeThat(threads.isThreadAllocatedMemorySupported()).isTrue();
    threads.setThreadAllocatedMemoryEnabled(true);
    return threads;
  }
}
