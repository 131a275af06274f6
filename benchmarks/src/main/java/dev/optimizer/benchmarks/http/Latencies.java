package dev.optimizer.benchmarks.http;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/** Latency statistics in milliseconds or microseconds from a concurrent HdrHistogram of nanos. */
final class Latencies {
  final Histogram histogram = new ConcurrentHistogram(1, 120_000_000_000L, 3);

  void record(long nanos) {
    histogram.recordValue(Math.max(1, Math.min(nanos, 120_000_000_000L)));
  }

  double ms(double percentile) {
    return histogram.getValueAtPercentile(percentile) / 1e6;
  }

  double meanMs() {
    return histogram.getMean() / 1e6;
  }

  long count() {
    return histogram.getTotalCount();
  }
}
