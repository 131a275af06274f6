package dev.optimizer.runtime.judge;

import dev.optimizer.api.Distribution;
import dev.optimizer.api.internal.SortedDistribution;
import java.util.Arrays;

/** A distribution as parallel arrays of distinct ascending values and their counts. */
final class Grouped {
  final double[] values;
  final long[] counts;
  final long total;

  private Grouped(double[] values, long[] counts, long total) {
    this.values = values;
    this.counts = counts;
    this.total = total;
  }

  static Grouped of(Distribution d) {
    double[][] v = {new double[16]};
    long[][] c = {new long[16]};
    int[] n = {0};
    long[] total = {0};
    d.forEachValue(
        (value, count) -> {
          if (count <= 0) {
            return;
          }
          if (n[0] == v[0].length) {
            v[0] = Arrays.copyOf(v[0], n[0] * 2);
            c[0] = Arrays.copyOf(c[0], n[0] * 2);
          }
          v[0][n[0]] = value;
          c[0][n[0]] = count;
          n[0]++;
          total[0] += count;
        });
    return new Grouped(Arrays.copyOf(v[0], n[0]), Arrays.copyOf(c[0], n[0]), total[0]);
  }

  /** Number of values strictly below {@code x}. */
  long countBelow(double x, long[] cumulative) {
    int i = Arrays.binarySearch(values, x);
    int idx = i >= 0 ? i : -i - 1; // first index with value >= x
    return idx == 0 ? 0 : cumulative[idx - 1];
  }

  /** Number of values strictly above {@code x}. */
  long countAbove(double x) {
    long above = 0;
    for (int i = values.length - 1; i >= 0 && values[i] > x; i--) {
      above += counts[i];
    }
    return above;
  }

  long[] cumulative() {
    long[] cum = new long[counts.length];
    long run = 0;
    for (int i = 0; i < counts.length; i++) {
      run += counts[i];
      cum[i] = run;
    }
    return cum;
  }

  /** The value at quantile q (smallest value with at least q of the mass at or below it). */
  double quantile(double q) {
    return SortedDistribution.quantileOfCounts(q, values, counts, total);
  }

  /** The quantile of two samples pooled together. */
  static double pooledQuantile(Grouped a, Grouped b, double q) {
    long total = a.total + b.total;
    long rank = SortedDistribution.rank(q, total);
    int i = 0;
    int j = 0;
    long run = 0;
    double last = Double.NaN;
    while (i < a.values.length || j < b.values.length) {
      double v;
      if (j >= b.values.length || (i < a.values.length && a.values[i] <= b.values[j])) {
        v = a.values[i];
        run += a.counts[i++];
      } else {
        v = b.values[j];
        run += b.counts[j++];
      }
      last = v;
      if (run >= rank) {
        return v;
      }
    }
    return last;
  }
}
