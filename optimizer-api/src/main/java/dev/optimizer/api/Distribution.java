package dev.optimizer.api;

import dev.optimizer.api.internal.SortedDistribution;

/**
 * A distribution of measured values (latencies in nanoseconds, throughput per slice...), seen as
 * distinct values in ascending order with their counts. Implementations may group nearby values
 * into buckets (an HdrHistogram does); rank tests treat a bucket as a group of ties.
 */
public interface Distribution {

  /** Receives one distinct value and how often it occurred. */
  @FunctionalInterface
  interface ValueCount {
    /** Called once per distinct value, in ascending order of value. */
    void accept(double value, long count);
  }

  /** The number of values. */
  long count();

  /** Visits the distinct values in ascending order with their counts. */
  void forEachValue(ValueCount visitor);

  /**
   * The value at quantile {@code q} in {@code [0, 1]}: the smallest value such that at least a
   * fraction {@code q} of all values are at or below it. {@code NaN} when empty.
   */
  double valueAtQuantile(double q);

  /** The arithmetic mean; {@code NaN} when empty. */
  double mean();

  /** An exact distribution of the given values. */
  static Distribution of(double... values) {
    return SortedDistribution.of(values);
  }

  /** An empty distribution. */
  static Distribution empty() {
    return SortedDistribution.of(new double[0]);
  }
}
