package dev.optimizer.runtime.signal;

import dev.optimizer.api.Signal;
import dev.optimizer.api.Ticker;
import dev.optimizer.api.Window;
import dev.optimizer.api.internal.Checks;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * A windowed recorder of operation latencies, errors, per-slice throughput and named gauges — the
 * {@link Signal} that modules feed and the tuning engine reads.
 *
 * <p>Writers are wait-free (an HdrHistogram {@link Recorder} and adders) or, for {@linkplain
 * #recordPeak peak gauges}, lock-free. Any number of readers can watch at once: each {@link #open()
 * cursor} remembers the totals at its opening and reads the difference; a peak, which cannot be
 * differenced, is kept per throughput slice instead. Latencies above {@code highestTrackable} are
 * recorded as that value.
 *
 * <p>A gauge is either a mean ({@link #recordGauge}) or a peak ({@link #recordPeak}), fixed by its
 * first sample; recording it the other way is refused, so that a window never mixes the two.
 *
 * <pre>{@code
 * LatencySignal signal = LatencySignal.builder("db.pool").build();
 * long start = ticker.read();
 * ... the operation ...
 * signal.record(ticker.read() - start, failed);
 * }</pre>
 */
public final class LatencySignal implements Signal {
  private final String name;
  private final Ticker ticker;
  private final long highestTrackableNanos;
  private final Recorder recorder;
  private final Histogram total;
  private final LongAdder operations = new LongAdder();
  private final LongAdder samples = new LongAdder(); // operations recorded with their latency
  private final LongAdder errors = new LongAdder();
  private final SliceCounter slices;
  private final long originNanos;
  private final long sliceNanos;
  private final int sliceRing;
  // Each name is a mean gauge or a peak gauge, never both: one map keeps that check atomic.
  private final Map<String, GaugeSeries> gauges = new ConcurrentHashMap<>();
  private Histogram recycle;

  private LatencySignal(Builder b) {
    this.name = b.name;
    this.ticker = b.ticker;
    this.highestTrackableNanos = b.highestTrackable.toNanos();
    this.recorder = new Recorder(highestTrackableNanos, b.significantDigits);
    this.total = new Histogram(highestTrackableNanos, b.significantDigits);
    this.originNanos = ticker.read();
    this.sliceNanos = b.slice.toNanos();
    this.sliceRing = b.sliceRing;
    this.slices = new SliceCounter(originNanos, sliceNanos, sliceRing);
  }

  /** Starts a signal with the given name. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  @Override
  public String name() {
    return name;
  }

  /** The ticker this signal reads time from. */
  public Ticker ticker() {
    return ticker;
  }

  /** Records one completed operation. */
  public void record(long latencyNanos, boolean error) {
    recorder.recordValue(Math.max(0, Math.min(latencyNanos, highestTrackableNanos)));
    samples.increment();
    operations.increment();
    if (error) {
      errors.increment();
    }
    slices.increment(ticker.read());
  }

  /** Records one successful operation. */
  public void recordSuccess(long latencyNanos) {
    record(latencyNanos, false);
  }

  /** Records one failed operation. */
  public void recordError(long latencyNanos) {
    record(latencyNanos, true);
  }

  /**
   * Records one completed operation whose latency belongs to no window it completes in: it began
   * before a change that windows compare (a pool resized while the operation waited for a
   * connection), so its latency measures the setting before the change, which the window after it
   * would be blamed or credited for. It counts as an operation (throughput, errors), but adds no
   * latency sample.
   */
  public void recordWithoutLatency(boolean error) {
    operations.increment();
    if (error) {
      errors.increment();
    }
    slices.increment(ticker.read());
  }

  /**
   * Records a sample of a named gauge (a wait time, a hit, a queue length); a window reports the
   * mean of the samples recorded within it.
   *
   * @throws IllegalArgumentException if the value is NaN or infinite, or the gauge is recorded as a
   *     {@linkplain #recordPeak peak}
   */
  public void recordGauge(String gauge, double value) {
    // A mean is a running sum that windows difference: one NaN or infinite sample would make it
    // NaN for good, in every later window of every reader.
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(
          "gauge '"
              + gauge
              + "' of signal '"
              + name
              + "' must be a finite number, but was "
              + value);
    }
    if (series(gauge, true) instanceof Gauge mean) {
      mean.add(value);
    } else {
      throw kindClash(gauge, "a peak (recordPeak)", "a mean (recordGauge)");
    }
  }

  /**
   * Records a sample of a named peak gauge (calls in flight, a queue length); a window reports the
   * largest sample recorded within it, where a mean would hide short bursts.
   *
   * <p>Peaks are kept per {@linkplain Builder#slice(Duration) slice}, so a window that did not open
   * on a slice boundary may be credited, at most, with the samples recorded before its opening in
   * the slice it opened in — and only when samples arrived in that slice after it opened too. A
   * window's peak is thus never below the largest sample recorded within it. A window longer than
   * the {@linkplain Builder#sliceRing(int) ring} reports the peak of its last slices.
   *
   * @throws IllegalArgumentException if the value is NaN, or the gauge is recorded as a {@linkplain
   *     #recordGauge mean}
   */
  public void recordPeak(String gauge, double value) {
    if (Double.isNaN(value)) {
      throw new IllegalArgumentException(
          "peak gauge '" + gauge + "' of signal '" + name + "' must be a number, but was NaN");
    }
    if (series(gauge, false) instanceof Peak peak) {
      peak.slices.record(ticker.read(), value);
    } else {
      throw kindClash(gauge, "a mean (recordGauge)", "a peak (recordPeak)");
    }
  }

  private GaugeSeries series(String gauge, boolean mean) {
    GaugeSeries series = gauges.get(gauge);
    if (series == null) {
      series = gauges.computeIfAbsent(gauge, g -> mean ? new Gauge() : newPeak());
    }
    return series;
  }

  private Peak newPeak() {
    // The same origin and slicing as the throughput slices: a peak's slice is a throughput slice.
    return new Peak(new SlicePeak(originNanos, sliceNanos, sliceRing));
  }

  private IllegalArgumentException kindClash(String gauge, String is, String asked) {
    return new IllegalArgumentException(
        "gauge '"
            + gauge
            + "' of signal '"
            + name
            + "' is recorded as "
            + is
            + ", so it cannot also be recorded as "
            + asked
            + "; give each its own name");
  }

  @Override
  public Cursor open() {
    return new LatencyCursor();
  }

  /** Operations recorded since creation. */
  public long totalOperations() {
    return operations.sum();
  }

  private synchronized Histogram drainedTotalCopy() {
    recycle = recorder.getIntervalHistogram(recycle);
    total.add(recycle);
    return total.copy();
  }

  private final class LatencyCursor implements Cursor {
    private final long openedNanos;
    private final Histogram mark;
    private final long operationsMark;
    private final long samplesMark;
    private final long errorsMark;
    private final Map<String, double[]> gaugeMarks = new HashMap<>();
    private final Map<String, SlicePeak.Mark> peakMarks = new HashMap<>();

    LatencyCursor() {
      this.openedNanos = ticker.read();
      this.mark = drainedTotalCopy();
      this.operationsMark = operations.sum();
      this.samplesMark = samples.sum();
      this.errorsMark = errors.sum();
      gauges.forEach(
          (k, g) -> {
            if (g instanceof Gauge mean) {
              gaugeMarks.put(k, mean.snapshot());
            } else if (g instanceof Peak peak) {
              peakMarks.put(k, peak.slices.mark(openedNanos));
            }
          });
    }

    @Override
    public long operations() {
      return operations.sum() - operationsMark;
    }

    @Override
    public long latencySamples() {
      return samples.sum() - samplesMark;
    }

    @Override
    public Window read() {
      long now = ticker.read();
      Histogram window = drainedTotalCopy();
      window.subtract(mark);
      long ops = operations.sum() - operationsMark;
      long errs = Math.min(ops, errors.sum() - errorsMark);
      Map<String, Double> values = new HashMap<>();
      gauges.forEach(
          (k, g) -> {
            if (g instanceof Gauge mean) {
              double[] now2 = mean.snapshot();
              double[] before = gaugeMarks.getOrDefault(k, new double[2]);
              double n = now2[1] - before[1];
              if (n > 0) {
                values.put(k, (now2[0] - before[0]) / n);
              }
            } else if (g instanceof Peak peak) {
              // A gauge first seen after the opening had no samples before it in this window.
              SlicePeak.Mark mark = peakMarks.get(k);
              if (mark == null) {
                mark = new SlicePeak.Mark(peak.slices.sliceOf(openedNanos), 0);
              }
              double max = peak.slices.peakSince(mark, now);
              if (!Double.isNaN(max)) {
                values.put(k, max);
              }
            }
          });
      return new Window(
          openedNanos,
          now,
          new HistogramDistribution(window),
          ops,
          errs,
          slices.ratesBetween(openedNanos, now),
          values);
    }
  }

  /** A named gauge's samples: a {@link Gauge} (mean) or a {@link Peak}. */
  private sealed interface GaugeSeries permits Gauge, Peak {}

  private record Peak(SlicePeak slices) implements GaugeSeries {}

  private static final class Gauge implements GaugeSeries {
    private final DoubleAdder sum = new DoubleAdder();
    private final LongAdder count = new LongAdder();

    void add(double value) {
      sum.add(value);
      count.increment();
    }

    double[] snapshot() {
      return new double[] {sum.sum(), count.sum()};
    }
  }

  /** Builds a {@link LatencySignal}; each setting is checked when given. */
  public static final class Builder {
    private final String name;
    private Ticker ticker = Ticker.system();
    private Duration highestTrackable = Duration.ofMinutes(5);
    private int significantDigits = 2;
    private Duration slice = Duration.ofSeconds(1);
    private int sliceRing = 3600;

    private Builder(String name) {
      this.name = Checks.notBlank("signal name", name);
    }

    /** The time source; defaults to {@link Ticker#system()}. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Checks.notNull("ticker", ticker);
      return this;
    }

    /** The largest latency kept exactly, in {@code [1ms, 1h]}; default 5 minutes. */
    public Builder highestTrackable(Duration highestTrackable) {
      this.highestTrackable =
          Checks.inRange(
              "highestTrackable", highestTrackable, Duration.ofMillis(1), Duration.ofHours(1));
      return this;
    }

    /**
     * Decimal digits of precision kept, in {@code [1, 4]}; default 2 (values within 1% are ties).
     */
    public Builder significantDigits(int significantDigits) {
      this.significantDigits = Checks.inRange("significantDigits", significantDigits, 1, 4);
      return this;
    }

    /**
     * The length of a throughput slice, in {@code [1ms, 1min]}; default 1 second. Peak gauges are
     * kept per slice too.
     */
    public Builder slice(Duration slice) {
      this.slice = Checks.inRange("slice", slice, Duration.ofMillis(1), Duration.ofMinutes(1));
      return this;
    }

    /**
     * How many slices are kept (of throughput, and of each peak gauge), in {@code [16, 1000000]};
     * default 3600.
     */
    public Builder sliceRing(int sliceRing) {
      this.sliceRing = Checks.inRange("sliceRing", sliceRing, 16, 1_000_000);
      return this;
    }

    /** Builds the signal. */
    public LatencySignal build() {
      return new LatencySignal(this);
    }
  }
}
