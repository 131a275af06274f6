package dev.optimizer.benchmarks.judge;

import dev.optimizer.api.Window;
import dev.optimizer.runtime.signal.HistogramDistribution;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.HdrHistogram.Histogram;

/**
 * Synthetic latency arms: a log-normal service time (median 10 ms, σ = 0.5, so p99 ≈ 3.2 × the
 * median) with a small error rate, recorded into an HdrHistogram exactly as the runtime's
 * LatencySignal records (two significant digits), optionally transformed by a monotone function
 * that models a regression.
 */
final class Arms {
  static final double MEDIAN_NANOS = 10e6;
  static final double SIGMA = 0.5;
  static final double ERROR_RATE = 0.002;

  private Arms() {}

  /** The baseline distribution's quantile q, exactly. */
  static double quantile(double z) {
    return MEDIAN_NANOS * Math.exp(SIGMA * z);
  }

  static Window arm(SplittableRandom random, int n, DoubleUnaryOperator transform) {
    Histogram h = new Histogram(Duration5Min.NANOS, 2);
    long errors = 0;
    for (int i = 0; i < n; i++) {
      double v = MEDIAN_NANOS * Math.exp(SIGMA * random.nextGaussian());
      h.recordValue(Math.min(Duration5Min.NANOS, Math.round(transform.applyAsDouble(v))));
      if (random.nextDouble() < ERROR_RATE) {
        errors++;
      }
    }
    double seconds = n / 500.0; // as if at 500 operations per second
    return new Window(
        0,
        (long) (seconds * 1e9),
        new HistogramDistribution(h),
        n,
        errors,
        new double[] {500, 500, 500, 500, 500, 500, 500, 500, 500, 500},
        Map.of());
  }

  /**
   * A tail regression: values above the baseline's p95 are stretched so that p99 grows by {@code
   * factor} while everything up to p95 — the median included — is unchanged.
   */
  static DoubleUnaryOperator tailStretch(double factor) {
    double p95 = quantile(1.6448536);
    double p99 = quantile(2.3263479);
    double k = (factor * p99 - p95) / (p99 - p95);
    return v -> v <= p95 ? v : p95 + (v - p95) * k;
  }

  /** A whole-distribution shift: every value multiplied by {@code factor}. */
  static DoubleUnaryOperator scale(double factor) {
    return v -> v * factor;
  }

  /** Holds the histogram's highest trackable value. */
  static final class Duration5Min {
    static final long NANOS = 300_000_000_000L;

    private Duration5Min() {}
  }
}
