package dev.optimizer.db.internal;

import dev.optimizer.db.internal.sql.SqlDialect;
import io.opentelemetry.api.metrics.Meter;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * Recognizes what a data source talks to — the OpenTelemetry {@code db.system.name}, the SQL
 * dialect for fingerprinting, the pool's name — without opening a connection, and what an open
 * connection's metadata says (see {@link DbIdentity}).
 */
public final class DbSystems {
  private DbSystems() {}

  /**
   * What a data source is.
   *
   * @param system the {@code db.system.name} value, e.g. {@code postgresql}
   * @param dialect the dialect whose literal syntax the fingerprinter must know
   * @param poolName the {@code db.client.connection.pool.name} value
   * @param fromUrl whether a JDBC URL said the system (a HikariCP pool's {@code jdbcUrl}); else it
   *     is a guess from a class name, which the first connection's metadata corrects
   */
  public record Description(String system, SqlDialect dialect, String poolName, boolean fromUrl) {}

  /** Describes a data source from its JDBC URL (HikariCP) or its class name. */
  public static Description describe(DataSource ds) {
    HikariPoolView hikari = hikari(ds);
    if (hikari != null) {
      String url = hikari.hikari().getJdbcUrl();
      if (url != null) {
        // The sub-protocol names the system; a host or database name ("postgres_archive" on a
        // MariaDB server, an H2 database in PostgreSQL mode) must not.
        String s = systemOfUrl(url);
        return new Description(
            s != null ? s : "other_sql", SqlDialect.fromJdbcUrl(url), hikari.poolName(), true);
      }
      // Configured with a driver's DataSource class (dataSourceClassName or setDataSource): its
      // name says the system, and the dialect must follow it, or the fingerprinter would not know
      // the system's literal syntax ($$...$$, "..." strings) and leave literal values in the text.
      String cls = dataSourceClass(hikari.hikari());
      return new Description(
          system(cls), SqlDialect.fromJdbcUrl(guessUrl(cls)), hikari.poolName(), false);
    }
    String cls = ds.getClass().getName();
    return new Description(
        system(cls), SqlDialect.fromJdbcUrl(guessUrl(cls)), ds.getClass().getSimpleName(), false);
  }

  /**
   * The {@code db.system.name} of what a connection's metadata describes: from the product name
   * (what the server says it is: MariaDB's driver on a MySQL server says MySQL, and MySQL's driver
   * on MariaDB says MariaDB in the version), else from the URL's sub-protocol; null when neither
   * names a system this module knows.
   */
  static String systemOf(String productName, String productVersion, String url) {
    String product = productName == null ? "" : productName.trim().toLowerCase(Locale.ROOT);
    String version = productVersion == null ? "" : productVersion.toLowerCase(Locale.ROOT);
    if (product.contains("postgres")) {
      return "postgresql";
    }
    if (product.contains("mariadb") || product.contains("mysql") && version.contains("mariadb")) {
      return "mariadb";
    }
    if (product.contains("mysql")) {
      return "mysql";
    }
    if (product.equals("h2") || product.startsWith("h2 ")) {
      return "h2database";
    }
    if (product.contains("microsoft sql server")) {
      return "microsoft.sql_server";
    }
    if (product.startsWith("oracle")) {
      return "oracle.db";
    }
    return systemOfUrl(url);
  }

  /** The system a JDBC URL's sub-protocol names (never its host or database name), or null. */
  private static String systemOfUrl(String url) {
    if (url == null || !url.trim().toLowerCase(Locale.ROOT).startsWith("jdbc:")) {
      return null;
    }
    String u = url.trim().toLowerCase(Locale.ROOT);
    int slashes = u.indexOf("//");
    for (String segment : (slashes < 0 ? u : u.substring(0, slashes)).split("[:;@]")) {
      switch (segment) {
        case "postgresql", "postgres", "pgsql":
          return "postgresql";
        case "mariadb":
          return "mariadb";
        case "mysql":
          return "mysql";
        case "h2":
          return "h2database";
        case "sqlserver":
          return "microsoft.sql_server";
        case "oracle":
          return "oracle.db";
        default:
          break;
      }
    }
    return null;
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
      java.util.function.Supplier<String> system,
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
