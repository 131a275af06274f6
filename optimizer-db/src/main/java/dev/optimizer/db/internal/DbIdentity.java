package dev.optimizer.db.internal;

import dev.optimizer.db.internal.sql.SqlDialect;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;

/**
 * What database one data source reaches: its {@code db.system.name} and the SQL dialect its
 * statements are lexed in. A HikariCP pool's JDBC URL says both before any connection. Any other
 * data source (another pool, a driver DataSource, a HikariCP pool configured with {@code
 * dataSourceClassName} or a DataSource object) is described from its class name only until its
 * first connection, whose metadata then says it, once: the wrapper {@linkplain #learn reads} it
 * from a connection it hands out anyway, so no connection is taken for it, and afterwards it costs
 * a volatile read. Fingerprints, telemetry, the pool sizer's server limit, the batching advice and
 * the index advisor all read it here, so they agree.
 */
public final class DbIdentity {
  private static final System.Logger LOG = System.getLogger("dev.optimizer.db");

  private volatile String system;
  private volatile SqlDialect dialect;
  private volatile boolean settled;

  private DbIdentity(String system, SqlDialect dialect, boolean settled) {
    this.system = system;
    this.dialect = dialect;
    this.settled = settled;
  }

  /**
   * The identity a description gives: settled when a JDBC URL said it; otherwise a guess until a
   * connection is {@linkplain #learn learned} from, lexed {@link SqlDialect#CONSERVATIVE
   * conservatively} meanwhile when the class name named no dialect, so that MySQL's {@code ".."}
   * strings or PostgreSQL's {@code $$..$$} never leave a value in the text.
   */
  public static DbIdentity of(DbSystems.Description description) {
    if (description.fromUrl()) {
      return new DbIdentity(description.system(), description.dialect(), true);
    }
    SqlDialect guess = description.dialect();
    return new DbIdentity(
        description.system(), guess == SqlDialect.GENERIC ? SqlDialect.CONSERVATIVE : guess, false);
  }

  /** The {@code db.system.name} value, e.g. {@code postgresql}. */
  public String system() {
    return system;
  }

  /** The dialect to lex statements in now. */
  public SqlDialect dialect() {
    return dialect;
  }

  /** Whether the system and dialect will not change any more. */
  public boolean settled() {
    return settled;
  }

  /**
   * Reads the system and dialect from a connection's metadata, once; a volatile read after the
   * first call. What the metadata cannot tell (or a failure to read it) leaves the guess as it was.
   */
  public void learn(Connection connection) {
    if (settled) {
      return;
    }
    synchronized (this) {
      if (settled) {
        return;
      }
      try {
        DatabaseMetaData md = connection.getMetaData();
        String url = md.getURL();
        String product = md.getDatabaseProductName();
        SqlDialect d = SqlDialect.fromJdbcUrl(url);
        if (d == SqlDialect.GENERIC) {
          d = SqlDialect.fromProductName(product);
        }
        // GENERIC from the metadata may still be a product with MySQL-like strings; only a known
        // dialect replaces the guess (or the conservative one).
        if (d != SqlDialect.GENERIC) {
          dialect = d;
        }
        String s = DbSystems.systemOf(product, md.getDatabaseProductVersion(), url);
        if (s != null) {
          system = s;
        }
      } catch (SQLException | RuntimeException e) {
        LOG.log(
            System.Logger.Level.DEBUG,
            "could not read what database this is; the guess from its class name stays",
            e);
      }
      settled = true;
    }
  }
}
