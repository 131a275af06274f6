package dev.optimizer.db.internal;

import java.sql.SQLException;

/** Small helpers the JDBC wrappers share. */
final class Jdbc {
  private Jdbc() {}

  /**
   * Runs a call that the result cache wraps, rethrowing what the driver threw unchanged. The
   * cache's calls are typed {@code throws Throwable}; a JDBC method throws SQLException or an
   * unchecked exception, so anything else (never expected) is wrapped in an SQLException.
   */
  static Object call(SqlCallRunner runner) throws SQLException {
    try {
      return runner.run();
    } catch (SQLException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new SQLException(t);
    }
  }

  /** A call through the result cache. */
  @FunctionalInterface
  interface SqlCallRunner {
    Object run() throws Throwable;
  }
}
