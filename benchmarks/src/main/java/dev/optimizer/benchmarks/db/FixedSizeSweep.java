package dev.optimizer.benchmarks.db;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The oracle's side of db-pool-sizing: pools of fixed sizes run under one workload, every run of a
 * size pooled into that size's figure, and what the scenario asks of them — the best size, the
 * sizes around it, the sizes a coarse sweep skipped, and a size's throughput interpolated between
 * measured ones. Not thread-safe: one scenario drives it.
 */
final class FixedSizeSweep {
  /** Each run's first 0.75 s is not measured: the clients ramp up and the pool's first leases. */
  static final double UNMEASURED_SECONDS = 0.75;

  private final Postgres pg;
  private final String name;
  private final ClosedLoad.Work work;
  private final int clients;
  private final TreeMap<Integer, Runs> bySize = new TreeMap<>();

  FixedSizeSweep(Postgres pg, String name, ClosedLoad.Work work, int clients) {
    this.pg = pg;
    this.name = name;
    this.work = work;
    this.clients = clients;
  }

  /** Runs a fixed pool of {@code size} once and counts the run in that size's figure. */
  void measure(int size, Duration run) throws Exception {
    measureInto(bySize.computeIfAbsent(size, s -> new Runs()), size, run);
  }

  /** Runs a fixed pool of {@code size} once and adds the run to {@code into}, not to the sweep. */
  void measureInto(Runs into, int size, Duration run) throws Exception {
    try (HikariDataSource fixed = pg.pool(name + "-fixed-" + size, size)) {
      fill(fixed, size);
      ClosedLoad.Result res =
          ClosedLoad.run(fixed, work, clients, run, UNMEASURED_SECONDS, () -> size);
      double secs = run.toMillis() / 1000.0;
      into.add(
          res.throughput(UNMEASURED_SECONDS, secs), secs - UNMEASURED_SECONDS, res.latencies());
    }
  }

  /** Whether {@code size} has been measured. */
  boolean has(int size) {
    return bySize.containsKey(size);
  }

  /** The runs of a measured size. */
  Runs runs(int size) {
    Runs r = bySize.get(size);
    if (r == null) {
      throw new IllegalArgumentException("size " + size + " was not measured");
    }
    return r;
  }

  /** The size with the highest throughput over its runs. */
  int best() {
    int bestSize = bySize.firstKey();
    for (var e : bySize.entrySet()) {
      if (e.getValue().throughput() > bySize.get(bestSize).throughput()) {
        bestSize = e.getKey();
      }
    }
    return bestSize;
  }

  /**
   * {@code best} and up to {@code each} measured sizes on either side of it, in ascending order.
   */
  List<Integer> neighbourhood(int best, int each) {
    List<Integer> out = new ArrayList<>(bySize.headMap(best, false).descendingKeySet());
    out = new ArrayList<>(out.subList(0, Math.min(each, out.size())));
    Collections.reverse(out);
    out.add(best);
    List<Integer> above = new ArrayList<>(bySize.tailMap(best, false).keySet());
    out.addAll(above.subList(0, Math.min(each, above.size())));
    return out;
  }

  /**
   * The sizes geometrically halfway between {@code best} and its measured neighbours, rounded, that
   * have not been measured.
   */
  List<Integer> between(int best) {
    List<Integer> out = new ArrayList<>();
    for (Integer neighbour : new Integer[] {bySize.lowerKey(best), bySize.higherKey(best)}) {
      if (neighbour != null) {
        int mid = (int) Math.round(Math.sqrt((double) neighbour * best));
        if (!bySize.containsKey(mid)) {
          out.add(mid);
        }
      }
    }
    return out;
  }

  /** The throughput of {@code size}, linearly between the measured sizes around it. */
  double interpolate(int size) {
    var lo = bySize.floorEntry(size);
    var hi = bySize.ceilingEntry(size);
    if (lo == null) {
      return hi.getValue().throughput();
    }
    if (hi == null || hi.getKey().equals(lo.getKey())) {
      return lo.getValue().throughput();
    }
    double f = (size - lo.getKey()) / (double) (hi.getKey() - lo.getKey());
    double low = lo.getValue().throughput();
    return low + f * (hi.getValue().throughput() - low);
  }

  /** Every size's figure, e.g. {@code 4: 344/s (runs: 343, 331, 359) p99 1635.8 ms;}. */
  String describe() {
    StringBuilder text = new StringBuilder();
    bySize.forEach(
        (size, f) ->
            text.append(
                String.format(
                    Locale.ROOT,
                    "%d: %.0f/s%s p99 %.1f ms; ",
                    size,
                    f.throughput(),
                    f.describe(),
                    f.p99Millis())));
    return text.toString().trim();
  }

  /** Waits until the pool holds its connections, so that a size is not measured cold. */
  static void fill(HikariDataSource pool, int size) throws InterruptedException {
    try (Connection c = pool.getConnection()) {
      // the first connection starts the pool; Hikari then fills it to minimumIdle (= size)
    } catch (SQLException e) {
      throw new IllegalStateException("cannot reach the benchmark database", e);
    }
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (pool.getHikariPoolMXBean().getTotalConnections() < size
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  /** Runs of one fixed size: throughput over their summed time, p99 over their latencies. */
  static final class Runs {
    private final Histogram latencies = new Histogram(1, 60_000_000_000L, 2);
    private final List<Double> each = new ArrayList<>();
    private double transactions;
    private double seconds;

    void add(double throughput, double secs, Histogram runLatencies) {
      each.add(throughput);
      transactions += throughput * secs;
      seconds += secs;
      latencies.add(runLatencies);
    }

    double throughput() {
      return transactions / seconds;
    }

    double p99Millis() {
      return latencies.getValueAtPercentile(99) / 1e6;
    }

    /** The runs' throughputs, e.g. {@code (runs: 343, 331, 359)}; empty for a single run. */
    String describe() {
      StringBuilder s = new StringBuilder();
      for (double t : each) {
        s.append(s.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f", t));
      }
      return each.size() == 1 ? "" : " (runs: " + s + ")";
    }
  }
}
