package dev.optimizer.demo.load;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * End-to-end latencies of one phase per area: the whole phase and each second of it (for the
 * charts). Latency runs from the request's scheduled send time to its response, so a service that
 * falls behind is charged for the wait. Thread-safe.
 */
public final class LatencyRecorder {
  private static final long MAX_NANOS = 120_000_000_000L;

  private final Map<Area, Histogram> total = new EnumMap<>(Area.class);
  private final Map<Area, List<Histogram>> perSecond = new EnumMap<>(Area.class);
  private final Map<Area, Long> errors = new EnumMap<>(Area.class);
  private Histogram window = new Histogram(MAX_NANOS, 2);

  LatencyRecorder() {
    for (Area a : Area.values()) {
      total.put(a, new Histogram(MAX_NANOS, 3));
      perSecond.put(a, new ArrayList<>());
      errors.put(a, 0L);
    }
  }

  synchronized void record(Area area, long scheduledOffsetNanos, long latencyNanos, boolean ok) {
    if (!ok) {
      errors.merge(area, 1L, Long::sum);
      return;
    }
    long v = Math.min(Math.max(latencyNanos, 1), MAX_NANOS);
    total.get(area).recordValue(v);
    window.recordValue(v);
    int second = (int) (scheduledOffsetNanos / 1_000_000_000L);
    List<Histogram> list = perSecond.get(area);
    while (list.size() <= second) {
      list.add(new Histogram(MAX_NANOS, 2));
    }
    list.get(second).recordValue(v);
  }

  /** Median over every area since the last call, in ms (for the progress line). */
  synchronized double takeWindowMedianMillis() {
    double p50 = window.getTotalCount() == 0 ? 0 : window.getValueAtPercentile(50) / 1e6;
    window = new Histogram(MAX_NANOS, 2);
    return p50;
  }

  /** Successful requests of {@code area}. */
  public synchronized long count(Area area) {
    return total.get(area).getTotalCount();
  }

  /** Failed requests of {@code area}. */
  public synchronized long errors(Area area) {
    return errors.get(area);
  }

  /** A percentile of {@code area}'s latency over the phase, in ms. */
  public synchronized double percentileMillis(Area area, double percentile) {
    Histogram h = total.get(area);
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1e6;
  }

  /** A percentile of {@code area}'s latency in each second of the phase, in ms (NaN if none). */
  public synchronized double[] perSecondMillis(Area area, double percentile) {
    List<Histogram> list = perSecond.get(area);
    double[] out = new double[list.size()];
    for (int i = 0; i < out.length; i++) {
      Histogram h = list.get(i);
      out[i] = h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1e6;
    }
    return out;
  }
}
