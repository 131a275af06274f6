package dev.optimizer.db.internal;

import dev.optimizer.db.internal.sql.SqlDialect;
import io.opentelemetry.api.metrics.Meter;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * Recognizes what a data source talks to — the OpenTelemetry {@code db.system.name}, the SQL
 * dialect for fingerprinting, the pool's name — without opening a connection.
 */
public final class DbSystems {
  private DbSystems() {}

  /**
   * What a data source is.
   *
   * @param system the {@code db.system.name} value, e.g. {@code postgresql}
   * @param dialect the dialect whose literal syntax the fingerprinter must know
   * @param poolName the {@code db.client.connection.pool.name} value
   */
  public record Description(String system, SqlDialect dialect, String poolName) {}

  /** Describes a data source from its JDBC URL (HikariCP) or its class name. */
  public static Description describe(DataSource ds) {
    HikariPoolView hikari = hikari(ds);
    if (hikari != null) {
      String url = hikari.hikari().getJdbcUrl();
      if (url != null) {
        return new Description(system(url), SqlDialect.fromJdbcUrl(url), hikari.poolName());
      }
      // Configured with a driver's DataSource class (dataSourceClassName or setDataSource): its
      // name says the system, and the dialect must follow it, or the fingerprinter would not know
      // the system's literal syntax ($$...$$, "..." strings) and leave literal values in the text.
      String cls = dataSourceClass(hikari.hikari());
      return new Description(system(cls), SqlDialect.fromJdbcUrl(guessUrl(cls)), hikari.poolName());
    }
    String cls = ds.getClass().getName();
    return new Description(
        system(cls), SqlDialect.fromJdbcUrl(guessUrl(cls)), ds.getClass().getSimpleName());
  }

  /** Adds the pool instruments when the data source is a HikariCP pool. */
  public static void observePool(DataSource ds, DbTelemetry telemetry, Meter meter) {
    HikariPoolView hikari = hikari(ds);
    if (hikari != null) {
      telemetry.observePool(meter, hikari);
    }
  }

  /**
   * Whether the data source's pool has an idle connection and no thread waiting for one, read from
   * HikariCP's MXBean; null when the data source is not a HikariCP pool (then nobody can tell).
   */
  public static java.util.function.BooleanSupplier idleConnection(DataSource ds) {
    HikariPoolView hikari = hikari(ds);
    if (hikari == null) {
      return null;
    }
    return () -> hikari.idle() > 0 && hikari.pending() == 0;
  }

  /**
   * Starts sizing the pool when the data source is a HikariCP pool; returns the lease listener that
   * feeds the sizer, or null when there is no pool to size.
   */
  public static LeaseListener startPoolSizing(
      dev.optimizer.runtime.Optimizer optimizer,
      DataSource ds,
      String system,
      int minSize,
      int budget,
      java.time.Duration slice) {
    HikariPoolView hikari = hikari(ds);
    if (hikari == null) {
      return null;
    }
    dev.optimizer.db.internal.pool.HikariPoolSizer sizer =
        dev.optimizer.db.internal.pool.HikariPoolSizer.start(
            optimizer, hikari.hikari(), system, minSize, budget, slice);
    return new LeaseListener() {
      @Override
      public void leaseStarted() {
        sizer.leaseStarted();
      }

      @Override
      public void leaseCompleted(long nanos) {
        sizer.leaseCompleted(nanos);
      }

      @Override
      public void leaseFailed(long nanos) {
        sizer.leaseFailed(nanos);
      }

      @Override
      public void returned(java.sql.Connection connection) {
        sizer.returned(connection);
      }

      @Override
      public void close() {
        sizer.close();
      }
    };
  }

  private static HikariPoolView hikari(DataSource ds) {
    try {
      Class.forName("com.zaxxer.hikari.HikariDataSource", false, DbSystems.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return null; // HikariCP is optional: without it there is no pool to observe
    }
    return HikariPoolView.of(ds);
  }

  static String system(String hint) {
    String h = hint.toLowerCase(Locale.ROOT);
    if (h.contains("postgres") || h.contains(":pgsql") || h.contains(".pg")) {
      return "postgresql";
    }
    if (h.contains("mariadb")) {
      return "mariadb";
    }
    if (h.contains("mysql")) {
      return "mysql";
    }
    if (h.contains("h2")) {
      return "h2database";
    }
    return "other_sql";
  }

  private static String dataSourceClass(com.zaxxer.hikari.HikariDataSource hikari) {
    if (hikari.getDataSourceClassName() != null) {
      return hikari.getDataSourceClassName();
    }
    return hikari.getDataSource() != null ? hikari.getDataSource().getClass().getName() : "";
  }

  /** A URL prefix whose sub-protocol names the system a DataSource class belongs to. */
  private static String guessUrl(String className) {
    String system = system(className);
    // db.system.name says "h2database"; H2's URLs say "h2".
    return "jdbc:" + (system.equals("h2database") ? "h2" : system) + ":";
  }
}
