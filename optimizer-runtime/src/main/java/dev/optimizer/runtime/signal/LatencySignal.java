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
 * <p>Writers are wait-free (an HdrHistogram {@link Recorder} and adders). Any number of readers can
 * watch at once: each {@link #open() cursor} remembers the totals at its opening and reads the
 * difference. Latencies above {@code highestTrackable} are recorded as that value.
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
  private final LongAdder errors = new LongAdder();
  private final SliceCounter slices;
  private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();
  private Histogram recycle;

  private LatencySignal(Builder b) {
    this.name = b.name;
    this.ticker = b.ticker;
    this.highestTrackableNanos = b.highestTrackable.toNanos();
    this.recorder = new Recorder(highestTrackableNanos, b.significantDigits);
    this.total = new Histogram(highestTrackableNanos, b.significantDigits);
    this.slices = new SliceCounter(ticker.read(), b.slice.toNanos(), b.sliceRing);
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
   * Records a sample of a named gauge (a wait time, a hit, a queue length); a window reports the
   * mean of the samples recorded within it.
   */
  public void recordGauge(String gauge, double value) {
    gauges.computeIfAbsent(gauge, g -> new Gauge()).add(value);
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
    private final long errorsMark;
    private final Map<String, double[]> gaugeMarks = new HashMap<>();

    LatencyCursor() {
      this.openedNanos = ticker.read();
      this.mark = drainedTotalCopy();
      this.operationsMark = operations.sum();
      this.errorsMark = errors.sum();
      gauges.forEach((k, g) -> gaugeMarks.put(k, g.snapshot()));
    }

    @Override
    public long operations() {
      return operations.sum() - operationsMark;
    }

    @Override
    public Window read() {
      long now = ticker.read();
      Histogram window = drainedTotalCopy();
      window.subtract(mark);
      long ops = operations.sum() - operationsMark;
      long errs = Math.min(ops, errors.sum() - errorsMark);
      Map<String, Double> means = new HashMap<>();
      gauges.forEach(
          (k, g) -> {
            double[] now2 = g.snapshot();
            double[] before = gaugeMarks.getOrDefault(k, new double[2]);
            double n = now2[1] - before[1];
            if (n > 0) {
              means.put(k, (now2[0] - before[0]) / n);
            }
          });
      return new Window(
          openedNanos,
          now,
          new HistogramDistribution(window),
          ops,
          errs,
          slices.ratesBetween(openedNanos, now),
          means);
    }
  }

  private static final class Gauge {
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

    /** The length of a throughput slice, in {@code [1ms, 1min]}; default 1 second. */
    public Builder slice(Duration slice) {
      this.slice = Checks.inRange("slice", slice, Duration.ofMillis(1), Duration.ofMinutes(1));
      return this;
    }

    /** How many slices are kept, in {@code [16, 1000000]}; default 3600. */
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
