package dev.optimizer.db.internal;

import dev.optimizer.db.internal.sql.Fingerprint;
import dev.optimizer.db.internal.sql.Fingerprinter;
import dev.optimizer.db.internal.sql.SqlDialect;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.function.Function;

/** Adapts the SQL fingerprinter to the {@link StatementKey} the wrapper records under. */
public final class Fingerprints {
  private Fingerprints() {}

  /** A fingerprint function for a dialect; it never throws for any non-null statement. */
  public static Function<String, StatementKey> forDialect(SqlDialect dialect, int maxLength) {
    Fingerprinter fingerprinter =
        Fingerprinter.builder(dialect).maxStatementLength(maxLength).build();
    return sql -> {
      Fingerprint f = fingerprinter.fingerprint(sql);
      return new StatementKey(
          f.id(), f.normalizedText(), f.operation(), f.collection().orElse(""), f.querySummary());
    };
  }

  /**
   * Fingerprints for a data source whose dialect its type does not tell (a pool other than HikariCP
   * or a plain driver DataSource): lexed {@link SqlDialect#CONSERVATIVE conservatively} until
   * {@link #resolve} reads the dialect from the first connection's metadata (its URL, else its
   * product name), so that MySQL's {@code ".."} strings or PostgreSQL's {@code $$..$$} never leave
   * a value in the text, the statistics or the logs.
   */
  public static final class Resolving implements Function<String, StatementKey> {
    private static final System.Logger LOG = System.getLogger("dev.optimizer.db");
    private final int maxLength;
    private volatile Function<String, StatementKey> current;
    private volatile boolean resolved;

    /** Conservative fingerprints until {@link #resolve} is called. */
    public Resolving(int maxLength) {
      this.maxLength = maxLength;
      this.current = forDialect(SqlDialect.CONSERVATIVE, maxLength);
    }

    @Override
    public StatementKey apply(String sql) {
      return current.apply(sql);
    }

    /**
     * Reads the dialect from a connection's metadata, once; cheap after the first call. When the
     * metadata cannot tell (or fails), the conservative dialect stays.
     */
    public void resolve(Connection connection) {
      if (resolved) {
        return;
      }
      synchronized (this) {
        if (resolved) {
          return;
        }
        SqlDialect dialect = SqlDialect.GENERIC;
        try {
          DatabaseMetaData md = connection.getMetaData();
          dialect = SqlDialect.fromJdbcUrl(md.getURL());
          if (dialect == SqlDialect.GENERIC) {
            dialect = SqlDialect.fromProductName(md.getDatabaseProductName());
          }
        } catch (SQLException | RuntimeException e) {
          LOG.log(
              System.Logger.Level.DEBUG,
              "could not read the database's dialect; statements stay lexed conservatively",
              e);
        }
        // GENERIC from the metadata may still be a product with MySQL-like strings; only a known
        // dialect replaces the conservative one.
        if (dialect != SqlDialect.GENERIC) {
          current = forDialect(dialect, maxLength);
        }
        resolved = true;
      }
    }
  }
}
