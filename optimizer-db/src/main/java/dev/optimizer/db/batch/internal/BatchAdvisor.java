package dev.optimizer.db.batch.internal;

import dev.optimizer.api.Recommendation;
import dev.optimizer.db.WriteLoop;
import dev.optimizer.db.internal.ReportedOnce;
import dev.optimizer.runtime.Optimizer;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.util.Collections;
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
   * where that is possible: a HikariCP pool not yet started whose connections will come from a
   * driver (or DataSource class) that takes pgjdbc's {@code reWriteBatchedInserts}. The driver
   * setting a report suggests follows {@code system} as the first connection corrects it.
   *
   * <p>Why not decide from that first connection's metadata, as {@code DbIdentity} does for the
   * database: HikariCP reads its data source properties when the pool starts, which is when the
   * first connection is asked for, and seals them then; so the decision is made here, before, from
   * the very object the property goes to. Not from the database's name (the URL or class name may
   * mention "postgres" for an H2 database in PostgreSQL mode, or a MariaDB schema named after one):
   * the property is the driver's, and a driver that does not know it may refuse the connection.
   */
  public static BatchAdvisor of(
      Optimizer optimizer, DataSource ds, Supplier<String> system, boolean apply) {
    boolean on = rewriteConfigured(ds);
    if (apply && !on) {
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
            || "true".equalsIgnoreCase(String.valueOf(p.get(REWRITE)))
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
          && takesRewrite(h)) {
        h.addDataSourceProperty(REWRITE, "true");
        return true;
      }
    } catch (RuntimeException | LinkageError e) {
      // a sealed (started) pool: the recommendation stays
    }
    return false;
  }

  /** pgjdbc's property (and its DataSource's bean property) that rewrites INSERT batches. */
  static final String REWRITE = "reWriteBatchedInserts";

  /**
   * Whether what the pool will make its connections with takes {@link #REWRITE}, asked the way
   * HikariCP will use it: a DataSource class gets its data source properties through setters (and
   * fails to start on one it lacks), a JDBC URL's driver gets them as connection properties (and
   * declares those it knows in {@code getPropertyInfo}, without connecting); a DataSource object
   * given to the pool gets none of them.
   */
  static boolean takesRewrite(com.zaxxer.hikari.HikariDataSource h) {
    if (h.getDataSource() != null) {
      return false;
    }
    try {
      if (h.getDataSourceClassName() != null) {
        Class<?> type = Class.forName(h.getDataSourceClassName(), false, loader());
        type.getMethod(
            "set" + Character.toUpperCase(REWRITE.charAt(0)) + REWRITE.substring(1), boolean.class);
        return true;
      }
      String url = h.getJdbcUrl();
      if (url == null) {
        return false;
      }
      Driver driver = driverFor(h.getDriverClassName(), url);
      if (driver == null) {
        return false;
      }
      for (DriverPropertyInfo p : driver.getPropertyInfo(url, new Properties())) {
        if (REWRITE.equals(p.name)) {
          return true;
        }
      }
    } catch (ReflectiveOperationException | SQLException | RuntimeException | LinkageError e) {
      // No such setter, class or driver, or a driver that fails to answer (some throw unchecked
      // exceptions from getPropertyInfo, or miss a class of their own): not ours to change, and an
      // opt-in optimization must not make wrap() fail where the pool itself would start.
    }
    return false;
  }

  /** The driver HikariCP will connect with: the one of its driverClassName, else the URL's. */
  private static Driver driverFor(String driverClassName, String url) throws SQLException {
    if (driverClassName != null) {
      for (Driver d : Collections.list(DriverManager.getDrivers())) {
        if (d.getClass().getName().equals(driverClassName)) {
          return d;
        }
      }
      try {
        Class<?> type = Class.forName(driverClassName, true, loader());
        return (Driver) type.getDeclaredConstructor().newInstance();
      } catch (ReflectiveOperationException | ClassCastException e) {
        return null;
      }
    }
    return DriverManager.getDriver(url);
  }

  private static ClassLoader loader() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return context != null ? context : BatchAdvisor.class.getClassLoader();
  }
}
