package dev.optimizer.runtime.signal;

import dev.optimizer.api.Distribution;
import dev.optimizer.api.internal.Checks;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * A {@link Distribution} over an HdrHistogram. Each recorded bucket is one distinct value (its
 * median-equivalent value), so rank tests see values within a bucket as ties.
 */
public final class HistogramDistribution implements Distribution {
  private final AbstractHistogram histogram;

  /** Wraps a histogram the caller no longer changes. */
  public HistogramDistribution(AbstractHistogram histogram) {
    this.histogram = Checks.notNull("histogram", histogram);
  }

  @Override
  public long count() {
    return histogram.getTotalCount();
  }

  @Override
  public void forEachValue(ValueCount visitor) {
    for (HistogramIterationValue v : histogram.recordedValues()) {
      visitor.accept(
          histogram.medianEquivalentValue(v.getValueIteratedTo()),
          v.getCountAddedInThisIterationStep());
    }
  }

  @Override
  public double valueAtQuantile(double q) {
    Checks.inRange("quantile", q, 0.0, 1.0);
    if (histogram.getTotalCount() == 0) {
      return Double.NaN;
    }
    return histogram.medianEquivalentValue(histogram.getValueAtPercentile(q * 100));
  }

  @Override
  public double mean() {
    return histogram.getTotalCount() == 0 ? Double.NaN : histogram.getMean();
  }

  @Override
  public String toString() {
    return "HistogramDistribution[n=" + count() + "]";
  }
}
