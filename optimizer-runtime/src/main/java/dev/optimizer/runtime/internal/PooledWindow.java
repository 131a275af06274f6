package dev.optimizer.runtime.internal;

import dev.optimizer.api.Distribution;
import dev.optimizer.api.Window;
import dev.optimizer.api.internal.Checks;
import dev.optimizer.api.internal.SortedDistribution;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Two windows measured at the same value, taken together as one reference: their latencies and
 * operations added, their throughput slices side by side. The span is the first start to the last
 * end; gauges are left out (the tests that take a pooled reference do not read them).
 */
final class PooledWindow {
  private PooledWindow() {}

  static Window of(Window a, Window b) {
    TreeMap<Double, Long> counts = new TreeMap<>();
    a.latencyNanos().forEachValue((v, n) -> counts.merge(v, n, Long::sum));
    b.latencyNanos().forEachValue((v, n) -> counts.merge(v, n, Long::sum));
    double[] sa = a.throughputSlices();
    double[] sb = b.throughputSlices();
    double[] slices = Arrays.copyOf(sa, sa.length + sb.length);
    System.arraycopy(sb, 0, slices, sa.length, sb.length);
    return new Window(
        Math.min(a.startNanos(), b.startNanos()),
        Math.max(a.endNanos(), b.endNanos()),
        new Counts(counts),
        a.operations() + b.operations(),
        a.errors() + b.errors(),
        slices,
        Map.of());
  }

  /** Distinct values with their counts, in ascending order. */
  private static final class Counts implements Distribution {
    private final double[] values;
    private final long[] counts;
    private final long total;

    Counts(TreeMap<Double, Long> byValue) {
      values = new double[byValue.size()];
      counts = new long[byValue.size()];
      long sum = 0;
      int i = 0;
      for (Map.Entry<Double, Long> e : byValue.entrySet()) {
        values[i] = e.getKey();
        counts[i] = e.getValue();
        sum += counts[i++];
      }
      total = sum;
    }

    @Override
    public long count() {
      return total;
    }

    @Override
    public void forEachValue(ValueCount visitor) {
      for (int i = 0; i < values.length; i++) {
        visitor.accept(values[i], counts[i]);
      }
    }

    @Override
    public double valueAtQuantile(double q) {
      Checks.inRange("quantile", q, 0.0, 1.0);
      return SortedDistribution.quantileOfCounts(q, values, counts, total);
    }

    @Override
    public double mean() {
      if (total == 0) {
        return Double.NaN;
      }
      double sum = 0;
      for (int i = 0; i < values.length; i++) {
        sum += values[i] * counts[i];
      }
      return sum / total;
    }
  }
}
