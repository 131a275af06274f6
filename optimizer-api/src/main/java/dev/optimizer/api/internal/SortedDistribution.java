package dev.optimizer.api.internal;

import dev.optimizer.api.Distribution;
import java.util.Arrays;

/** An exact {@link Distribution} over a sorted copy of its values. Not part of the public API. */
public final class SortedDistribution implements Distribution {
  private final double[] sorted;
  private final double mean;

  private SortedDistribution(double[] sorted) {
    this.sorted = sorted;
    double sum = 0;
    for (double v : sorted) {
      sum += v;
    }
    this.mean = sorted.length == 0 ? Double.NaN : sum / sorted.length;
  }

  /** Sorts a copy of the values; rejects NaN. */
  public static SortedDistribution of(double[] values) {
    double[] copy = values.clone();
    for (double v : copy) {
      if (Double.isNaN(v)) {
        throw new IllegalArgumentException("distribution values must not be NaN");
      }
    }
    Arrays.sort(copy);
    return new SortedDistribution(copy);
  }

  @Override
  public long count() {
    return sorted.length;
  }

  @Override
  public void forEachValue(ValueCount visitor) {
    int i = 0;
    while (i < sorted.length) {
      int j = i;
      while (j < sorted.length && sorted[j] == sorted[i]) {
        j++;
      }
      visitor.accept(sorted[i], j - i);
      i = j;
    }
  }

  @Override
  public double valueAtQuantile(double q) {
    Checks.inRange("quantile", q, 0.0, 1.0);
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) rank(q, sorted.length) - 1;
    return sorted[Math.min(sorted.length - 1, index)];
  }

  /**
   * The 1-based rank of quantile {@code q} among {@code n} values (nearest rank: the smallest rank
   * with at least {@code q} of the values at or below it), at least 1. Every distribution of the
   * project takes its quantiles by this rule, so that they agree.
   */
  public static long rank(double q, long n) {
    // q * n can land a hair above a whole number (0.56 * 50 = 28.000000000000004), which would
    // skip to the next rank; a relative tolerance far below one rank absorbs the rounding error.
    return Math.max(1, (long) Math.ceil(q * n * (1 - 1e-12)));
  }

  /**
   * The value at quantile {@code q} of sorted distinct {@code values} that occur {@code counts}
   * times each ({@code total} in all), by the same nearest-rank rule; NaN when {@code total} is 0.
   */
  public static double quantileOfCounts(double q, double[] values, long[] counts, long total) {
    if (total == 0) {
      return Double.NaN;
    }
    long wanted = rank(q, total);
    long seen = 0;
    for (int i = 0; i < values.length; i++) {
      seen += counts[i];
      if (seen >= wanted) {
        return values[i];
      }
    }
    return values[values.length - 1];
  }

  @Override
  public double mean() {
    return mean;
  }

  @Override
  public String toString() {
    return "Distribution[n=" + sorted.length + ", mean=" + mean + "]";
  }
}
