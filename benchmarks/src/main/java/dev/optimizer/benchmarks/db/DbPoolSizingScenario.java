package dev.optimizer.benchmarks.db;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Mode;
import dev.optimizer.benchmarks.Scenario;
import dev.optimizer.benchmarks.ScenarioResult;
import dev.optimizer.benchmarks.ScenarioResult.Target;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.judge.JudgeSettings;
import dev.optimizer.runtime.tuning.TuningSettings;
import io.opentelemetry.api.OpenTelemetry;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Locale;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * db-pool-sizing: 64 client threads against a real PostgreSQL, two workloads. (A) transactions that
 * hold their connection through a 10 ms server-side wait, where the best pool is far above Hikari's
 * default of 10; (B) CPU-bound queries on a 2-core machine, where the best pool is small and an
 * oversized one (100) hurts. For each: a sweep of fixed sizes finds the oracle; then the
 * self-sizing pool starts from 10 (A) or 100 (B) and is measured after it settles.
 */
public final class DbPoolSizingScenario implements Scenario {
  private static final int CLIENTS = 64;

  @Override
  public String name() {
    return "db-pool-sizing";
  }

  @Override
  public String description() {
    return "self-sizing HikariCP pool vs the best fixed size (oracle sweep), 64 clients, embedded"
        + " PostgreSQL: latency-bound (A, from 10) and CPU-bound (B, from 100) workloads";
  }

  @Override
  public ScenarioResult run(boolean quick) throws Exception {
    ScenarioResult r = new ScenarioResult();
    try (Postgres pg = new Postgres()) {
      workload(
          r,
          pg,
          "A",
          c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_sleep(0.01)")) {
              ps.execute();
            }
          },
          new int[] {10, 32, 64, 96},
          10,
          quick);
      workload(
          r,
          pg,
          "B",
          c -> {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "SELECT count(*) FROM generate_series(1, ?) g WHERE g % 7 = 3"); ) {
              ps.setInt(1, 60_000);
              try (ResultSet rs = ps.executeQuery()) {
                rs.next();
              }
            }
          },
          new int[] {2, 4, 16, 100},
          100,
          quick);
    }
    r.note(
        "setup",
        CLIENTS
            + " closed-loop clients; A holds the connection through pg_sleep(10 ms); B counts over"
            + " generate_series(60000) (CPU); both client JVM and PostgreSQL share 2 cores");
    return r;
  }

  private void workload(
      ScenarioResult r,
      Postgres pg,
      String name,
      ClosedLoad.Work work,
      int[] sweep,
      int start,
      boolean quick)
      throws Exception {
    Duration fixedRun = Duration.ofMillis(quick ? 2000 : 5000);
    TreeMap<Integer, double[]> oracle = new TreeMap<>(); // size -> {throughput, p99 ms}
    for (int size : sweep) {
      try (HikariDataSource fixed = pg.pool(name + "-fixed-" + size, size)) {
        fill(fixed, size);
        ClosedLoad.Result res = ClosedLoad.run(fixed, work, CLIENTS, fixedRun, 0.75, () -> size);
        double secs = fixedRun.toMillis() / 1000.0;
        oracle.put(
            size,
            new double[] {
              res.throughput(0.75, secs), res.latencies().getValueAtPercentile(99) / 1e6
            });
      }
    }
    int bestSize = oracle.firstKey();
    for (var e : oracle.entrySet()) {
      if (e.getValue()[0] > oracle.get(bestSize)[0]) {
        bestSize = e.getKey();
      }
    }
    double bestTput = oracle.get(bestSize)[0];
    double bestP99 = oracle.get(bestSize)[1];

    Duration tunedRun = Duration.ofSeconds(quick ? 28 : 60);
    double measureFrom = tunedRun.toSeconds() - (quick ? 8 : 15);
    ClosedLoad.Result tuned;
    try (HikariDataSource pool = pg.pool(name + "-tuned", start);
        Optimizer optimizer =
            Optimizer.builder()
                .openTelemetry(OpenTelemetry.noop())
                .mode(Mode.AUTO)
                .judge(JudgeSettings.builder().minSamplesPerArm(200).minSlicesPerArm(6).build())
                .tuning(
                    TuningSettings.builder()
                        .tickInterval(Duration.ofMillis(100))
                        .minWindow(Duration.ofMillis(2000))
                        .maxWindow(Duration.ofSeconds(10))
                        .settle(Duration.ofMillis(500))
                        .maxBackoffWindows(16)
                        .build())
                .build()) {
      DataSource ds =
          DbOptimizer.builder(optimizer)
              .poolBudget(100)
              .minPoolSize(2)
              .poolSignalSlice(Duration.ofMillis(250))
              .build()
              .wrap(pool);
      tuned = ClosedLoad.run(ds, work, CLIENTS, tunedRun, measureFrom, pool::getMaximumPoolSize);
    }
    double tput = tuned.throughput(measureFrom, tunedRun.toSeconds());
    double p99 = tuned.latencies().getValueAtPercentile(99) / 1e6;
    int[] trace = tuned.knobPerBucket();
    double converged = convergence(trace, oracle, bestTput);

    StringBuilder sweepText = new StringBuilder();
    oracle.forEach(
        (size, v) ->
            sweepText.append(
                String.format(Locale.ROOT, "%d: %.0f/s p99 %.1f ms; ", size, v[0], v[1])));
    r.note(name + " sweep", sweepText.toString().trim());
    r.note(name + " pool size trace (every 2 s)", trace(trace));
    r.baseline(name + " oracle best fixed size", (double) bestSize);
    r.baseline(name + " throughput (tx/s)", bestTput);
    r.baseline(name + " p99 (ms)", bestP99);
    r.baseline(
        name + " start size throughput (tx/s)",
        oracle.getOrDefault(start, new double[] {Double.NaN})[0]);
    r.optimized(name + " final pool size", (double) trace[trace.length - 2]);
    r.optimized(name + " throughput (tx/s)", tput);
    r.optimized(name + " p99 (ms)", p99);
    r.ratio("throughput_vs_oracle_" + name, tput / bestTput, Target.atLeast(0.95));
    r.ratio("p99_vs_oracle_" + name, p99 / bestP99, Target.atMost(1.2));
    r.ratio(
        "seconds_to_converge_" + name,
        converged,
        quick ? Target.atMost(tunedRun.toSeconds()) : Target.atMost(30));
  }

  /** Waits until the pool holds its connections, so a fixed size is not measured cold. */
  private static void fill(HikariDataSource pool, int size) throws InterruptedException {
    try (java.sql.Connection c = pool.getConnection()) {
      // the first connection starts the pool; Hikari then fills it to minimumIdle (= size)
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("cannot reach the benchmark database", e);
    }
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (pool.getHikariPoolMXBean().getTotalConnections() < size
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  /**
   * The first time after which the pool size stays among the "good" sizes: those whose throughput,
   * interpolated from the sweep, is at least 95% of the best.
   */
  private static double convergence(int[] trace, TreeMap<Integer, double[]> oracle, double best) {
    int lastBad = -1;
    for (int i = 0; i < trace.length - 1; i++) {
      if (interpolate(oracle, trace[i]) < 0.95 * best) {
        lastBad = i;
      }
    }
    return (lastBad + 1) * ClosedLoad.Result.BUCKET_SECONDS;
  }

  private static double interpolate(TreeMap<Integer, double[]> oracle, int size) {
    var lo = oracle.floorEntry(size);
    var hi = oracle.ceilingEntry(size);
    if (lo == null) {
      return hi.getValue()[0];
    }
    if (hi == null || hi.getKey().equals(lo.getKey())) {
      return lo.getValue()[0];
    }
    double f = (size - lo.getKey()) / (double) (hi.getKey() - lo.getKey());
    return lo.getValue()[0] + f * (hi.getValue()[0] - lo.getValue()[0]);
  }

  private static String trace(int[] trace) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < trace.length; i += 8) {
      s.append(trace[i]).append(' ');
    }
    return s.toString().trim();
  }
}
