package dev.optimizer.runtime.signal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.within;

import dev.optimizer.api.Signal;
import dev.optimizer.api.Window;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LatencySignalTest {
  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000_000_000L;

  private final AtomicLong now = new AtomicLong();

  private LatencySignal.Builder builder() {
    return LatencySignal.builder("db.pool").ticker(now::get);
  }

  private void at(long nanos) {
    now.set(nanos);
  }

  // ---- cursors and counts -----------------------------------------------------------------------

  @Test
  void nameAndTicker() {
    LatencySignal s = builder().build();
    assertThat(s.name()).isEqualTo("db.pool");
    now.set(42);
    assertThat(s.ticker().read()).isEqualTo(42);
  }

  @Test
  void twoCursorsOpenedAtDifferentTimesSeeDifferentWindows() {
    LatencySignal s = builder().build();
    s.recordSuccess(5 * MS); // before any cursor: seen by none
    at(1 * SECOND);
    Signal.Cursor early = s.open();
    s.recordSuccess(1 * MS);
    s.recordError(2 * MS);
    s.recordSuccess(3 * MS);
    at(2 * SECOND);
    Signal.Cursor late = s.open();
    s.record(4 * MS, true);
    s.record(5 * MS, false);
    at(4 * SECOND);

    assertThat(early.operations()).isEqualTo(5);
    assertThat(late.operations()).isEqualTo(2);
    assertThat(s.totalOperations()).isEqualTo(6);

    Window e = early.read();
    Window l = late.read();
    assertThat(e.operations()).isEqualTo(5);
    assertThat(e.errors()).isEqualTo(2);
    assertThat(e.latencyNanos().count()).isEqualTo(5);
    assertThat(e.startNanos()).isEqualTo(1 * SECOND);
    assertThat(e.endNanos()).isEqualTo(4 * SECOND);
    assertThat(e.elapsed()).isEqualTo(Duration.ofSeconds(3));

    assertThat(l.operations()).isEqualTo(2);
    assertThat(l.errors()).isEqualTo(1);
    assertThat(l.errorRate()).isEqualTo(0.5);
    assertThat(l.latencyNanos().count()).isEqualTo(2);
    assertThat(l.startNanos()).isEqualTo(2 * SECOND);
    // the late cursor saw only 4ms and 5ms
    assertThat(l.latencyNanos().valueAtQuantile(0)).isCloseTo(4 * MS, within(0.01 * 4 * MS));
  }

  @Test
  void aCursorStaysOpenAndEachReadCoversEverythingSinceItOpened() {
    LatencySignal s = builder().build();
    Signal.Cursor c = s.open();
    s.recordSuccess(MS);
    at(SECOND);
    assertThat(c.read().operations()).isEqualTo(1);
    s.recordSuccess(MS);
    s.recordError(MS);
    at(2 * SECOND);
    Window w = c.read();
    assertThat(w.operations()).isEqualTo(3);
    assertThat(w.errors()).isEqualTo(1);
    assertThat(w.latencyNanos().count()).isEqualTo(3);
    assertThat(w.startNanos()).isZero();
    assertThat(w.endNanos()).isEqualTo(2 * SECOND);
  }

  @Test
  void aFreshCursorReadsAnEmptyWindow() {
    LatencySignal s = builder().build();
    s.recordSuccess(MS);
    Signal.Cursor c = s.open();
    Window w = c.read();
    assertThat(w.operations()).isZero();
    assertThat(w.errors()).isZero();
    assertThat(w.latencyNanos().count()).isZero();
    assertThat(w.latencyPercentileNanos(99)).isNaN();
    assertThat(w.latencyNanos().mean()).isNaN();
    assertThat(w.throughputSlices()).isEmpty();
    assertThat(w.gauges()).isEmpty();
  }

  // ---- latency distribution ---------------------------------------------------------------------

  @Test
  void windowPercentilesMatchTheRecordedLatenciesWithinHistogramPrecision() {
    LatencySignal s = builder().build();
    Signal.Cursor c = s.open();
    // 1ms .. 1000ms, once each
    for (int i = 1; i <= 1000; i++) {
      s.recordSuccess(i * MS);
    }
    at(SECOND);
    Window w = c.read();
    assertThat(w.latencyNanos().count()).isEqualTo(1000);
    assertThat(w.latencyPercentileNanos(50)).isCloseTo(500.0 * MS, within(0.01 * 500 * MS));
    assertThat(w.latencyPercentileNanos(90)).isCloseTo(900.0 * MS, within(0.01 * 900 * MS));
    assertThat(w.latencyPercentileNanos(99)).isCloseTo(990.0 * MS, within(0.01 * 990 * MS));
    assertThat(w.latencyPercentileNanos(100)).isCloseTo(1000.0 * MS, within(0.01 * 1000 * MS));
    assertThat(w.latencyPercentileNanos(0)).isCloseTo(1.0 * MS, within(0.01 * MS));
    assertThat(w.latencyNanos().mean()).isCloseTo(500.5 * MS, within(0.01 * 500.5 * MS));
  }

  @Test
  void windowDistributionVisitsAscendingBucketsCountingEveryValue() {
    LatencySignal s = builder().build();
    Signal.Cursor c = s.open();
    for (int i = 0; i < 30; i++) {
      s.recordSuccess(10 * MS);
    }
    for (int i = 0; i < 10; i++) {
      s.recordSuccess(100 * MS);
    }
    Window w = c.read();
    List<double[]> buckets = new ArrayList<>();
    w.latencyNanos().forEachValue((v, n) -> buckets.add(new double[] {v, n}));
    assertThat(buckets).hasSize(2);
    assertThat(buckets.get(0)[0]).isCloseTo(10.0 * MS, within(0.01 * 10 * MS));
    assertThat(buckets.get(0)[1]).isEqualTo(30.0);
    assertThat(buckets.get(1)[0]).isCloseTo(100.0 * MS, within(0.01 * 100 * MS));
    assertThat(buckets.get(1)[1]).isEqualTo(10.0);
    assertThat(w.latencyPercentileNanos(75)).isCloseTo(10.0 * MS, within(0.01 * 10 * MS));
    assertThat(w.latencyPercentileNanos(76)).isCloseTo(100.0 * MS, within(0.01 * 100 * MS));
  }

  @Test
  void latenciesAboveHighestTrackableAreClampedAndNegativesToZero() {
    LatencySignal s = builder().highestTrackable(Duration.ofSeconds(1)).build();
    Signal.Cursor c = s.open();
    s.recordSuccess(Duration.ofMinutes(10).toNanos());
    s.recordSuccess(Long.MAX_VALUE);
    s.recordSuccess(-5);
    Window w = c.read();
    assertThat(w.operations()).isEqualTo(3);
    assertThat(w.latencyNanos().count()).isEqualTo(3);
    assertThat(w.latencyPercentileNanos(100)).isCloseTo(SECOND, within(0.01 * SECOND));
    assertThat(w.latencyPercentileNanos(0)).isEqualTo(0.0);
  }

  // ---- throughput slices ------------------------------------------------------------------------

  @Test
  void anOperationRecordedWithoutLatencyCountsForThroughputAndErrorsOnly() {
    LatencySignal s = builder().slice(Duration.ofSeconds(1)).build();
    Signal.Cursor c = s.open(); // t = 0
    at(500 * MS);
    s.recordSuccess(2 * MS);
    s.recordWithoutLatency(false);
    s.recordWithoutLatency(true);
    at(1_000 * MS);
    assertThat(c.operations()).isEqualTo(3);
    assertThat(c.latencySamples()).isEqualTo(1);
    Window w = c.read();
    assertThat(w.operations()).isEqualTo(3);
    assertThat(w.errors()).isEqualTo(1);
    assertThat(w.throughputSlices()).containsExactly(3.0);
    assertThat(w.latencyNanos().count()).isEqualTo(1);
    assertThat(w.latencyPercentileNanos(100)).isCloseTo(2.0 * MS, within(0.01 * MS));
  }

  @Test
  void throughputSlicesExcludeThePartialSlice() {
    LatencySignal s = builder().slice(Duration.ofSeconds(1)).build();
    Signal.Cursor c = s.open(); // t = 0
    at(500 * MS);
    for (int i = 0; i < 100; i++) {
      s.recordSuccess(MS);
    }
    at(1_200 * MS);
    for (int i = 0; i < 200; i++) {
      s.recordSuccess(MS);
    }
    at(2_100 * MS);
    for (int i = 0; i < 50; i++) {
      s.recordSuccess(MS); // in the slice still filling at t = 2.5s
    }
    at(2_500 * MS);
    Window w = c.read();
    assertThat(w.throughputSlices()).containsExactly(100.0, 200.0);
    assertThat(w.operations()).isEqualTo(350);
    assertThat(w.throughputPerSecond()).isEqualTo(140.0);
  }

  @Test
  void aCursorOpenedMidSliceSkipsThatSlice() {
    LatencySignal s = builder().build();
    at(300 * MS);
    Signal.Cursor c = s.open();
    s.recordSuccess(MS); // slice 0, only partly inside the window
    at(1_000 * MS);
    s.recordSuccess(MS);
    s.recordSuccess(MS); // slice 1
    at(2_000 * MS); // slice 2 has just started: nothing whole beyond slice 1
    assertThat(c.read().throughputSlices()).containsExactly(2.0);
  }

  @Test
  void quietSlicesCountAsZero() {
    LatencySignal s = builder().build();
    Signal.Cursor c = s.open();
    s.recordSuccess(MS);
    at(2 * SECOND);
    s.recordSuccess(MS);
    s.recordSuccess(MS);
    at(3 * SECOND);
    assertThat(c.read().throughputSlices()).containsExactly(1.0, 0.0, 2.0);
  }

  @Test
  void slicesAreReportedPerSecond() {
    LatencySignal s = builder().slice(Duration.ofMillis(250)).build();
    Signal.Cursor c = s.open();
    for (int i = 0; i < 5; i++) {
      s.recordSuccess(MS);
    }
    at(250 * MS);
    s.recordSuccess(MS);
    at(500 * MS);
    assertThat(c.read().throughputSlices()).containsExactly(20.0, 4.0);
  }

  @Test
  void theRingKeepsOnlyTheMostRecentSlices() {
    LatencySignal s = builder().sliceRing(16).build();
    Signal.Cursor c = s.open();
    for (int second = 0; second < 40; second++) {
      at(second * SECOND);
      for (int i = 0; i <= second; i++) {
        s.recordSuccess(MS); // second k holds k + 1 operations
      }
    }
    at(40 * SECOND);
    double[] slices = c.read().throughputSlices();
    // the slice still filling (40) is excluded; 15 whole slices fit beside it in a ring of 16
    assertThat(slices).hasSize(15);
    for (int k = 0; k < 15; k++) {
      assertThat(slices[k]).as("slice %d", 25 + k).isEqualTo(25 + k + 1);
    }
  }

  // ---- gauges
  // -------------------------------------------------------------------------------------

  @Test
  void gaugesAreAveragedOverTheWindow() {
    LatencySignal s = builder().build();
    s.recordGauge("wait", 100); // before both cursors
    Signal.Cursor first = s.open();
    s.recordGauge("wait", 2);
    s.recordGauge("wait", 4);
    Signal.Cursor second = s.open();
    s.recordGauge("wait", 12);
    s.recordGauge("hit", 1); // a gauge first seen after both cursors opened
    s.recordGauge("hit", 0);

    Window a = first.read();
    Window b = second.read();
    assertThat(a.gauges()).containsOnlyKeys("wait", "hit");
    assertThat(a.gauges().get("wait")).isCloseTo(6.0, within(1e-12));
    assertThat(a.gauges().get("hit")).isCloseTo(0.5, within(1e-12));
    assertThat(b.gauges().get("wait")).isCloseTo(12.0, within(1e-12));
    assertThat(b.gauges().get("hit")).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void aGaugeWithoutSamplesInTheWindowIsAbsent() {
    LatencySignal s = builder().build();
    s.recordGauge("wait", 3);
    Signal.Cursor c = s.open();
    s.recordGauge("queue", 7);
    assertThat(c.read().gauges()).containsOnlyKeys("queue");
  }

  @Test
  void aMeanGaugeRefusesANonFiniteSampleAndStaysUsable() {
    // A mean is kept as a running sum that each window differences: one NaN or infinite sample
    // would make that sum NaN for good, and every later window of the gauge NaN with it (which a
    // judge's floor "mean < minimum" reads as passing).
    LatencySignal s = builder().build();
    Signal.Cursor before = s.open();
    s.recordGauge("hit", 1);
    for (double bad :
        new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      assertThatThrownBy(() -> s.recordGauge("hit", bad))
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("gauge 'hit' of signal 'db.pool' must be a finite number, but was " + bad);
    }
    assertThatThrownBy(() -> s.recordGauge("new", Double.NaN))
        .isExactlyInstanceOf(IllegalArgumentException.class);
    Signal.Cursor after = s.open();
    s.recordGauge("hit", 0);

    assertThat(before.read().gauges()).containsOnly(entry("hit", 0.5));
    assertThat(after.read().gauges()).containsOnly(entry("hit", 0.0));
  }

  // ---- peak gauges
  // -------------------------------------------------------------------------------

  @Test
  void aPeakGaugeReportsTheLargestSampleOfTheWindowNotTheirMean() {
    LatencySignal s = builder().build();
    Signal.Cursor c = s.open();
    // A burst to 20 among single calls, spread over several slices.
    at(SECOND / 2);
    s.recordPeak("inflight", 1);
    at(SECOND + 1);
    s.recordPeak("inflight", 20);
    s.recordPeak("inflight", 3);
    at(3 * SECOND + 7);
    s.recordPeak("inflight", 1);
    at(4 * SECOND);
    assertThat(c.read().gauges()).containsOnly(entry("inflight", 20.0));
  }

  @Test
  void twoCursorsOpenedAtDifferentTimesEachSeeTheirOwnPeak() {
    LatencySignal s = builder().build();
    s.recordPeak("inflight", 99); // before both cursors: seen by neither
    at(1 * SECOND);
    Signal.Cursor early = s.open();
    at(1 * SECOND + SECOND / 2);
    s.recordPeak("inflight", 50);
    at(2 * SECOND);
    Signal.Cursor late = s.open();
    at(2 * SECOND + SECOND / 2);
    s.recordPeak("inflight", 7);
    at(3 * SECOND + SECOND / 5);
    s.recordPeak("inflight", 9);
    at(4 * SECOND);

    assertThat(early.read().gauges()).containsOnly(entry("inflight", 50.0));
    assertThat(late.read().gauges()).containsOnly(entry("inflight", 9.0));
    // Reading leaves a cursor open; a later burst raises only the windows it falls in.
    Signal.Cursor latest = s.open();
    s.recordPeak("inflight", 60);
    at(5 * SECOND);
    assertThat(early.read().gauges()).containsOnly(entry("inflight", 60.0));
    assertThat(late.read().gauges()).containsOnly(entry("inflight", 60.0));
    assertThat(latest.read().gauges()).containsOnly(entry("inflight", 60.0));
  }

  @Test
  void theSliceAWindowOpensInCountsOnlyOnceSamplesArriveInItAfterTheOpening() {
    LatencySignal s = builder().build();
    at(3 * SECOND + SECOND / 5);
    s.recordPeak("inflight", 9);
    at(3 * SECOND + SECOND / 2);
    Signal.Cursor c = s.open(); // mid-slice, after the 9
    at(3 * SECOND + 3 * SECOND / 4);
    assertThat(c.read().gauges()).isEmpty(); // the 9 was before the opening
    s.recordPeak("inflight", 4);
    // Documented generosity: a peak per slice cannot tell the 9 from the 4 once both are in it.
    assertThat(c.read().gauges()).containsOnly(entry("inflight", 9.0));

    at(4 * SECOND + SECOND / 5);
    s.recordPeak("inflight", 100);
    at(4 * SECOND + SECOND / 2);
    Signal.Cursor next = s.open();
    at(5 * SECOND + 1);
    s.recordPeak("inflight", 3); // in a later slice: the 100 stays out
    assertThat(next.read().gauges()).containsOnly(entry("inflight", 3.0));
    assertThat(c.read().gauges()).containsOnly(entry("inflight", 100.0));
  }

  @Test
  void aWindowWithoutPeakSamplesHasNoPeakGauge() {
    LatencySignal s = builder().build();
    s.recordPeak("inflight", 5);
    Signal.Cursor c = s.open();
    at(3 * SECOND);
    s.recordSuccess(MS);
    s.recordGauge("wait", 2);
    assertThat(c.read().gauges()).containsOnlyKeys("wait");
    // A peak gauge first recorded after the opening counts in full.
    s.recordPeak("queue", 4);
    assertThat(c.read().gauges()).containsOnly(entry("wait", 2.0), entry("queue", 4.0));
  }

  @Test
  void aWindowLongerThanTheRingReportsThePeakOfItsLastSlices() {
    LatencySignal s = builder().sliceRing(16).build();
    Signal.Cursor c = s.open();
    at(SECOND / 2);
    s.recordPeak("inflight", 99);
    at(20 * SECOND);
    s.recordPeak("inflight", 5);
    at(20 * SECOND + SECOND / 2);
    assertThat(c.read().gauges()).containsOnly(entry("inflight", 5.0));
  }

  @Test
  void aGaugeIsEitherAMeanOrAPeakNeverBoth() {
    LatencySignal s = builder().build();
    s.recordGauge("wait", 1);
    s.recordPeak("inflight", 1);
    assertThatThrownBy(() -> s.recordPeak("wait", 2))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "gauge 'wait' of signal 'db.pool' is recorded as a mean (recordGauge), so it cannot"
                + " also be recorded as a peak (recordPeak); give each its own name");
    assertThatThrownBy(() -> s.recordGauge("inflight", 2))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "gauge 'inflight' of signal 'db.pool' is recorded as a peak (recordPeak), so it"
                + " cannot also be recorded as a mean (recordGauge); give each its own name");
    assertThatThrownBy(() -> s.recordPeak("inflight", Double.NaN))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("peak gauge 'inflight' of signal 'db.pool' must be a number, but was NaN");
  }

  // ---- concurrency
  // --------------------------------------------------------------------------------

  @Test
  void concurrentRecordingLosesNoOperations() throws Exception {
    LatencySignal s = builder().build();
    Signal.Cursor c = s.open();
    int threads = 4;
    int perThread = 25_000;
    CountDownLatch start = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread worker =
          new Thread(
              () -> {
                try {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    s.record((1 + (i % 100)) * MS, i % 10 == id);
                    if (i % 1000 == 0) {
                      s.recordGauge("g", 1.0);
                    }
                  }
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                }
              },
              "recorder-" + t);
      workers.add(worker);
      worker.start();
    }
    // a reader draining the recorder while writers run must not lose anything either
    Signal.Cursor reader = s.open();
    start.countDown();
    for (int i = 0; i < 20; i++) {
      reader.read();
    }
    for (Thread worker : workers) {
      worker.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(worker.isAlive()).as(worker.getName() + " finished").isFalse();
    }
    assertThat(failure.get()).isNull();

    long total = (long) threads * perThread;
    assertThat(c.operations()).isEqualTo(total);
    assertThat(s.totalOperations()).isEqualTo(total);
    Window w = c.read();
    assertThat(w.operations()).isEqualTo(total);
    assertThat(w.latencyNanos().count()).isEqualTo(total);
    assertThat(w.errors()).isEqualTo(total / 10); // each thread fails one in ten
    assertThat(w.gauges().get("g")).isEqualTo(1.0);
    assertThat(reader.read().latencyNanos().count()).isEqualTo(total);
  }

  @Test
  void concurrentPeaksAcrossSlicesKeepTheLargestAndNeverFallWhileTheWindowGrows() throws Exception {
    LatencySignal s = builder().slice(Duration.ofMillis(1)).sliceRing(100_000).build();
    Signal.Cursor c = s.open();
    int threads = 4;
    int perThread = 50_000;
    CountDownLatch start = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread worker =
          new Thread(
              () -> {
                try {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    // Each thread's own largest value once, amid smaller ones; time moves on as
                    // the samples come, so slots keep moving to new slices under the writers.
                    s.recordPeak("inflight", i == perThread / 2 ? 1000 + id : i % 500);
                    if (i % 50 == 0) {
                      now.addAndGet(MS / 3);
                    }
                  }
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                }
              },
              "peak-recorder-" + t);
      workers.add(worker);
      worker.start();
    }
    start.countDown();
    // The window only grows, so its peak must never fall between two reads.
    double last = Double.NEGATIVE_INFINITY;
    List<String> falls = new ArrayList<>();
    while (workers.stream().anyMatch(Thread::isAlive)) {
      Double peak = c.read().gauges().get("inflight");
      if (peak != null) {
        if (peak < last) {
          falls.add(last + " -> " + peak);
        }
        last = peak;
      }
    }
    for (Thread worker : workers) {
      worker.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(worker.isAlive()).as(worker.getName() + " finished").isFalse();
    }
    assertThat(failure.get()).isNull();
    assertThat(falls).as("peaks that fell between reads").isEmpty();
    assertThat(c.read().gauges()).containsOnly(entry("inflight", 1000.0 + threads - 1));
  }

  // ---- builder
  // ------------------------------------------------------------------------------------

  @Test
  void builderValidation() {
    assertThatThrownBy(() -> LatencySignal.builder(" "))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("signal name must not be blank, but was ' '");
    assertThatThrownBy(() -> LatencySignal.builder(null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("signal name must not be null");
    LatencySignal.Builder b = LatencySignal.builder("s");
    assertThatThrownBy(() -> b.ticker(null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("ticker must not be null");
    assertThatThrownBy(() -> b.highestTrackable(Duration.ofMillis(1).minusNanos(1)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("highestTrackable must be in [PT0.001S, PT1H], but was PT0.000999999S");
    assertThatThrownBy(() -> b.highestTrackable(Duration.ofHours(2)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("highestTrackable must be in [PT0.001S, PT1H], but was PT2H");
    assertThatThrownBy(() -> b.highestTrackable(null))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("highestTrackable must not be null");
    assertThatThrownBy(() -> b.significantDigits(0))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("significantDigits must be in [1, 4], but was 0");
    assertThatThrownBy(() -> b.significantDigits(5))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("significantDigits must be in [1, 4], but was 5");
    assertThatThrownBy(() -> b.slice(Duration.ZERO))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("slice must be in [PT0.001S, PT1M], but was PT0S");
    assertThatThrownBy(() -> b.slice(Duration.ofMinutes(2)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("slice must be in [PT0.001S, PT1M], but was PT2M");
    assertThatThrownBy(() -> b.sliceRing(15))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("sliceRing must be in [16, 1000000], but was 15");
    assertThatThrownBy(() -> b.sliceRing(1_000_001))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("sliceRing must be in [16, 1000000], but was 1000001");
    // the limits themselves are accepted
    LatencySignal s =
        b.ticker(now::get)
            .highestTrackable(Duration.ofMillis(1))
            .significantDigits(4)
            .slice(Duration.ofMillis(1))
            .sliceRing(16)
            .build();
    Signal.Cursor c = s.open();
    s.recordSuccess(Duration.ofMillis(3).toNanos());
    assertThat(c.read().latencyPercentileNanos(100)).isCloseTo(MS, within(0.0001 * MS));
  }

  @Test
  void defaultsUseTheSystemTicker() {
    LatencySignal s = LatencySignal.builder("s").build();
    long before = System.nanoTime();
    long reading = s.ticker().read();
    assertThat(reading - before).isGreaterThanOrEqualTo(0);
    // default highestTrackable is 5 minutes: a 4-minute latency is kept
    Signal.Cursor c = s.open();
    s.recordSuccess(Duration.ofMinutes(4).toNanos());
    assertThat(c.read().latencyPercentileNanos(100))
        .isCloseTo(Duration.ofMinutes(4).toNanos(), within(0.01 * Duration.ofMinutes(4).toNanos()));
  }
}
