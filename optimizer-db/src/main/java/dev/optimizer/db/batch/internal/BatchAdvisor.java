package dev.optimizer.db.batch.internal;

import dev.optimizer.api.Recommendation;
import dev.optimizer.db.WriteLoop;
import dev.optimizer.db.internal.ReportedOnce;
import dev.optimizer.runtime.Optimizer;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Batching advice for one wrapped DataSource: reports write loops (one statement executed row by
 * row, {@link #THRESHOLD}+ times in a lease) with their call site, and whether the driver rewrites
 * batches — {@code reWriteBatchedInserts} for PostgreSQL's pgjdbc, {@code rewriteBatchedStatements}
 * for MySQL Connector/J; MariaDB Connector/J 3 sends batches with its bulk protocol instead.
 *
 * <p>Separate {@code executeUpdate} calls are never merged behind the application's back: each call
 * must return its own update count and raise its own error at once, and a later read in the
 * transaction must see the row; deferring them would break that. The driver rewrite is applied only
 * when asked ({@code DbOptimizer.Builder#batchRewrite}) and only to a HikariCP pool not yet
 * started: pgjdbc then reports {@code SUCCESS_NO_INFO} (-2) instead of per-row counts for rewritten
 * INSERT batches, which only the application can say it does not rely on.
 */
public final class BatchAdvisor {
  /** Single executions of one write in one lease from which a loop is reported. */
  public static final int THRESHOLD = 50;

  private static final System.Logger LOG = System.getLogger("dev.optimizer.db.batching");

  private final Optimizer optimizer;
  private final Supplier<String> system;
  private final boolean rewriteOn;
  private final List<WriteLoop> loops = new CopyOnWriteArrayList<>();
  private final ReportedOnce reported = new ReportedOnce();

  /** The most statement-and-site pairs reported (and remembered) per data source. */
  static final int MAX_REPORTED = ReportedOnce.MAX;

  private BatchAdvisor(Optimizer optimizer, Supplier<String> system, boolean rewriteOn) {
    this.optimizer = optimizer;
    this.system = system;
    this.rewriteOn = rewriteOn;
  }

  /**
   * The advisor of a data source; with {@code apply}, first turns the driver's batch rewrite on
   * where that is possible (a PostgreSQL HikariCP pool not yet started, so as its JDBC URL or
   * DataSource class says before any connection). The driver setting a report suggests follows
   * {@code system} as the first connection corrects it.
   */
  public static BatchAdvisor of(
      Optimizer optimizer, DataSource ds, Supplier<String> system, boolean apply) {
    boolean on = rewriteConfigured(ds);
    if (apply && !on && "postgresql".equals(system.get())) {
      on = applyRewrite(ds);
    }
    return new BatchAdvisor(optimizer, system, on);
  }

  /** The driver setting that rewrites batches for this database, or empty. */
  public Optional<String> driverSetting() {
    return switch (system.get()) {
      case "postgresql" -> Optional.of("reWriteBatchedInserts=true");
      case "mysql" -> Optional.of("rewriteBatchedStatements=true");
      case "mariadb" -> Optional.of("useBulkStmts=true (MariaDB Connector/J 3 bulk batches)");
      default -> Optional.empty();
    };
  }

  /** How many statement-and-site pairs are remembered as reported. */
  int reportedCount() {
    return reported.size();
  }

  /** Whether the driver's batch rewrite is on (configured, or applied by us). */
  public boolean rewriteOn() {
    return rewriteOn;
  }

  /** A write loop was seen: records and recommends it once per statement and call site. */
  public void writeLoop(
      long fingerprintId,
      String text,
      int executions,
      boolean inTransaction,
      Optional<String> site) {
    if (!reported.first(fingerprintId, site)) {
      return;
    }
    Optional<String> setting = rewriteOn ? Optional.empty() : driverSetting();
    WriteLoop loop = new WriteLoop(fingerprintId, text, executions, inTransaction, site, setting);
    loops.add(loop);
    LOG.log(
        System.Logger.Level.INFO,
        () ->
            "write loop: "
                + executions
                + "+ single executions at "
                + site.orElse("?")
                + ": "
                + text);
    if (optimizer.mode().recommends()) {
      Recommendation.Builder b =
          Recommendation.builder("batch-writes", Long.toHexString(fingerprintId))
              .summary(
                  "The same write ran "
                      + executions
                      + "+ times one row at a time"
                      + (inTransaction ? " in one transaction" : " in one connection lease")
                      + "; send the rows as one JDBC batch (addBatch/executeBatch)"
                      + setting.map(s -> " and let the driver rewrite it (" + s + ")").orElse("")
                      + ".")
              .evidence("statement", text)
              .evidence("executions", executions + "+")
              .evidence("callSite", site.orElse("unknown"))
              .evidence("driverRewrite", rewriteOn ? "on" : "off")
              .time(optimizer.clock().instant());
      setting.ifPresent(s -> b.evidence("driverSetting", s));
      optimizer.recommend(b.build());
    }
  }

  /** The loops reported so far, oldest first. */
  public List<WriteLoop> loops() {
    return List.copyOf(loops);
  }

  private static boolean rewriteConfigured(DataSource ds) {
    try {
      if (ds instanceof com.zaxxer.hikari.HikariDataSource h) {
        String url = String.valueOf(h.getJdbcUrl()).toLowerCase(Locale.ROOT);
        Properties p = h.getDataSourceProperties();
        return url.contains("rewritebatchedinserts=true")
            || url.contains("rewritebatchedstatements=true")
            || "true".equalsIgnoreCase(String.valueOf(p.get("reWriteBatchedInserts")))
            || "true".equalsIgnoreCase(String.valueOf(p.get("rewriteBatchedStatements")));
      }
    } catch (RuntimeException | LinkageError e) {
      // HikariCP absent or a pool we cannot read: treat as not configured
    }
    return false;
  }

  private static boolean applyRewrite(DataSource ds) {
    try {
      if (ds instanceof com.zaxxer.hikari.HikariDataSource h
          && !h.isRunning()
          && !h.isClosed()
          && h.getJdbcUrl() != null) {
        h.addDataSourceProperty("reWriteBatchedInserts", "true");
        return true;
      }
    } catch (RuntimeException | LinkageError e) {
      // a sealed (started) pool: the recommendation stays
    }
    return false;
  }
}
