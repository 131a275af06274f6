package dev.optimizer.benchmarks.db;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Mode;
import dev.optimizer.benchmarks.PairedBlocks;
import dev.optimizer.benchmarks.Scenario;
import dev.optimizer.benchmarks.ScenarioResult;
import dev.optimizer.benchmarks.ScenarioResult.Target;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.WriteLoop;
import dev.optimizer.runtime.Optimizer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import javax.sql.DataSource;

/**
 * db-batching: 10,000 single-row INSERTs in one transaction on a real PostgreSQL.
 *
 * <p>Baseline: the loop as applications write it, one {@code executeUpdate} per row, through the
 * wrapped DataSource, which reports it as a write loop with its call site. Optimized: what the
 * recommendation asks for — the same rows sent with {@code addBatch}/{@code executeBatch} — on a
 * pool where the optimizer turned on pgjdbc's {@code reWriteBatchedInserts} ({@code
 * batchRewrite(true)}, applied before the pool started). The optimizer does not turn separate
 * {@code executeUpdate} calls into a batch by itself: each call must return its count and raise its
 * error at once. A third arm, batching without the rewrite, separates the two effects.
 */
public final class DbBatchingScenario implements Scenario {
  private static final int ROWS = 10_000;
  private static final String INSERT = "INSERT INTO events (id, kind, amount) VALUES (?, ?, ?)";

  @Override
  public String name() {
    return "db-batching";
  }

  @Override
  public String description() {
    return "10,000 single-row INSERTs in one transaction: executeUpdate loop vs the recommended"
        + " executeBatch with pgjdbc reWriteBatchedInserts applied by the optimizer (embedded"
        + " PostgreSQL)";
  }

  @Override
  public ScenarioResult run(boolean quick) throws Exception {
    ScenarioResult r = new ScenarioResult();
    int reps = quick ? 7 : 21;
    try (Postgres pg = new Postgres();
        Optimizer optimizer = Optimizer.builder().manualTuning().mode(Mode.RECOMMEND).build();
        HikariDataSource plainPool = pg.pool("loop", 2);
        HikariDataSource batchPool = pg.pool("batch", 2);
        HikariDataSource rewritePool = lazyPool(pg)) {
      pg.execute("CREATE TABLE events (id int PRIMARY KEY, kind text NOT NULL, amount numeric)");
      DbOptimizer db = DbOptimizer.builder(optimizer).poolSizing(false).build();
      DataSource loop = db.wrap(plainPool);
      DataSource batchNoRewrite =
          DbOptimizer.builder(optimizer).poolSizing(false).build().wrap(batchPool);
      DbOptimizer rewriting =
          DbOptimizer.builder(optimizer).poolSizing(false).batchRewrite(true).build();
      DataSource batched = rewriting.wrap(rewritePool);

      long[] loopNanos = new long[reps];
      long[] batchNanos = new long[reps];
      long[] rewriteNanos = new long[reps];
      for (int i = -1; i < reps; i++) { // one warm-up round
        for (int arm = 0; arm < 3; arm++) {
          int which = Math.floorMod(arm + i, 3); // rotate the order against drift
          pg.execute("TRUNCATE events");
          long t0 = System.nanoTime();
          switch (which) {
            case 0 -> insertLoop(loop);
            case 1 -> insertBatch(batchNoRewrite);
            default -> insertBatch(batched);
          }
          long nanos = System.nanoTime() - t0;
          if (i >= 0) {
            (which == 0 ? loopNanos : which == 1 ? batchNanos : rewriteNanos)[i] = nanos;
          }
        }
      }
      double loopMs = PairedBlocks.median(loopNanos) / 1e6;
      double batchMs = PairedBlocks.median(batchNanos) / 1e6;
      double rewriteMs = PairedBlocks.median(rewriteNanos) / 1e6;
      List<WriteLoop> found = db.writeLoops();
      r.baseline("10k inserts, median (ms)", round(loopMs));
      r.baseline("rows/s", Math.round(ROWS / (loopMs / 1e3)));
      r.optimized("10k inserts, median (ms)", round(rewriteMs));
      r.optimized("rows/s", Math.round(ROWS / (rewriteMs / 1e3)));
      r.optimized("executeBatch without rewrite (ms)", round(batchMs));
      r.ratio("throughput_ratio", loopMs / rewriteMs, Target.atLeast(2));
      r.ratio("batch_without_rewrite_ratio", loopMs / batchMs);
      r.ratio("write_loop_detected", found.isEmpty() ? 0 : 1, Target.atLeast(1));
      r.note(
          "write loop",
          found.isEmpty()
              ? "not detected"
              : found.get(0).callSite().orElse("?")
                  + " -> "
                  + found.get(0).driverSetting().orElse("(driver rewrite already on)"));
      r.note(
          "optimized arm",
          "the application-level change the recommendation asks for (addBatch/executeBatch) on a"
              + " pool where the optimizer applied reWriteBatchedInserts; executeBatch then"
              + " returns SUCCESS_NO_INFO (-2) per row");
      r.note("runs", reps + " per arm after one warm-up, order rotated; medians");
    }
    return r;
  }

  private static HikariDataSource lazyPool(Postgres pg) {
    HikariDataSource h = pg.pool("rewrite-template", 2);
    // A pool not started yet, as Spring Boot builds them, so the driver setting can still be set.
    HikariDataSource lazy = new HikariDataSource();
    lazy.setJdbcUrl(h.getJdbcUrl());
    lazy.setUsername(h.getUsername());
    lazy.setPassword(h.getPassword());
    lazy.setPoolName("rewrite");
    lazy.setMaximumPoolSize(2);
    h.close();
    return lazy;
  }

  private static void insertLoop(DataSource ds) throws Exception {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(INSERT)) {
        for (int i = 0; i < ROWS; i++) {
          ps.setInt(1, i);
          ps.setString(2, "click");
          ps.setInt(3, i % 100);
          ps.executeUpdate();
        }
      }
      c.commit();
      c.setAutoCommit(true);
    }
  }

  private static void insertBatch(DataSource ds) throws Exception {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(INSERT)) {
        for (int i = 0; i < ROWS; i++) {
          ps.setInt(1, i);
          ps.setString(2, "click");
          ps.setInt(3, i % 100);
          ps.addBatch();
          if ((i + 1) % 1000 == 0) {
            ps.executeBatch();
          }
        }
        ps.executeBatch();
      }
      c.commit();
      c.setAutoCommit(true);
    }
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
