package dev.optimizer.api;

import dev.optimizer.api.internal.Checks;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a {@link Signal} measured over one stretch of time: the latency distribution, the number of
 * operations and of errors, throughput per time slice, and named gauges (wait time, hit rate...).
 *
 * <p>Immutable.
 */
public final class Window {
  private final long startNanos;
  private final long endNanos;
  private final Distribution latencyNanos;
  private final long operations;
  private final long errors;
  private final double[] throughputSlices;
  private final Map<String, Double> gauges;

  /**
   * Creates a window.
   *
   * @param startNanos the ticker reading at the start
   * @param endNanos the ticker reading at the end, not before the start
   * @param latencyNanos the latencies of the operations, in nanoseconds
   * @param operations the number of operations, errors included
   * @param errors the number of failed operations, at most {@code operations}
   * @param throughputSlices completed operations per second in each whole slice of the window
   * @param gauges named gauges over the window, each the mean of its samples (wait time, hit
   *     rate...) or their peak (calls in flight), as the signal records it; copied
   */
  public Window(
      long startNanos,
      long endNanos,
      Distribution latencyNanos,
      long operations,
      long errors,
      double[] throughputSlices,
      Map<String, Double> gauges) {
    if (endNanos - startNanos < 0) {
      throw new IllegalArgumentException(
          "window end must not be before its start, but was " + startNanos + " > " + endNanos);
    }
    Checks.inRange("window operations", operations, 0, Long.MAX_VALUE);
    Checks.inRange("window errors", errors, 0, operations);
    this.startNanos = startNanos;
    this.endNanos = endNanos;
    this.latencyNanos = Checks.notNull("latencyNanos", latencyNanos);
    this.operations = operations;
    this.errors = errors;
    this.throughputSlices = Checks.notNull("throughputSlices", throughputSlices).clone();
    this.gauges = Map.copyOf(Checks.notNull("gauges", gauges));
  }

  /** The ticker reading at the start. */
  public long startNanos() {
    return startNanos;
  }

  /** The ticker reading at the end. */
  public long endNanos() {
    return endNanos;
  }

  /** How long the window lasted. */
  public Duration elapsed() {
    return Duration.ofNanos(endNanos - startNanos);
  }

  /** Latencies in nanoseconds. */
  public Distribution latencyNanos() {
    return latencyNanos;
  }

  /** Number of operations, errors included. */
  public long operations() {
    return operations;
  }

  /** Number of failed operations. */
  public long errors() {
    return errors;
  }

  /** Fraction of operations that failed; 0 when there were none. */
  public double errorRate() {
    return operations == 0 ? 0 : (double) errors / operations;
  }

  /** Operations per second over the whole window; 0 for an empty window. */
  public double throughputPerSecond() {
    long nanos = endNanos - startNanos;
    return nanos <= 0 ? 0 : operations * 1e9 / nanos;
  }

  /** Completed operations per second in each whole slice of the window (a copy). */
  public double[] throughputSlices() {
    return throughputSlices.clone();
  }

  /**
   * Named gauges over the window: each the mean of its samples or, for a gauge the signal records
   * as a peak, the largest sample.
   */
  public Map<String, Double> gauges() {
    return gauges;
  }

  /** The latency at a percentile in {@code [0, 100]}, in nanoseconds. */
  public double latencyPercentileNanos(double percentile) {
    Checks.inRange("percentile", percentile, 0.0, 100.0);
    return latencyNanos.valueAtQuantile(percentile / 100.0);
  }

  @Override
  public String toString() {
    return "Window[elapsed="
        + elapsed()
        + ", operations="
        + operations
        + ", errors="
        + errors
        + ", slices="
        + Arrays.toString(throughputSlices)
        + ", gauges="
        + new TreeMap<>(gauges)
        + "]";
  }
}
