package dev.optimizer.db.advisor.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluation on MariaDB/MySQL, which has no hypothetical indexes and no transactional DDL: the
 * candidate is really added ({@code ALTER TABLE ... ADD INDEX}), the statements EXPLAINed, and the
 * index dropped again at once, whatever happened. Only when the user allows it and only for tables
 * under a size limit; lock waits are bounded by {@code lock_wait_timeout} and the build by {@code
 * max_statement_time} (MariaDB).
 */
public final class MariaDbSandboxEvaluator implements Evaluator {
  private final Connection connection;
  private final long maxTableBytes;

  /** A sandbox on a connection of its own (autocommit); sets the session's timeouts. */
  public MariaDbSandboxEvaluator(
      Connection connection, long maxTableBytes, Duration lockTimeout, Duration buildTimeout)
      throws SQLException {
    this.connection = connection;
    this.maxTableBytes = maxTableBytes;
    try (Statement s = connection.createStatement()) {
      s.execute(
          "SET SESSION lock_wait_timeout = " + Math.max(1, (lockTimeout.toMillis() + 999) / 1000));
      try {
        s.execute("SET SESSION max_statement_time = " + buildTimeout.toMillis() / 1000.0);
      } catch (SQLException mysql) {
        // MySQL has no max_statement_time; the size limit bounds the build there.
      }
    }
  }

  @Override
  public String method() {
    return "sandbox";
  }

  /** Whether a table is small enough to build on. */
  public boolean allows(TableInfo table) {
    return table.bytes() <= maxTableBytes;
  }

  @Override
  public Evaluation evaluate(Candidate candidate, List<Probe> probes) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute(candidate.mysqlDdl(false));
      try {
        long bytes = measuredBytes(candidate);
        List<Plan> plans = new ArrayList<>();
        for (Probe p : probes) {
          plans.add(Explainer.explainMariaDb(connection, p.sample()));
        }
        return new Evaluation(candidate, bytes, probes, plans);
      } finally {
        s.execute(
            "ALTER TABLE "
                + Identifiers.backQuote(candidate.schema())
                + "."
                + Identifiers.backQuote(candidate.table())
                + " DROP INDEX "
                + Identifiers.backQuote(candidate.indexName()));
      }
    }
  }

  /** The index's size from InnoDB's persistent statistics; a page when they are not there. */
  private long measuredBytes(Candidate c) {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT stat_value * @@innodb_page_size FROM mysql.innodb_index_stats WHERE"
                + " database_name = ? AND table_name = ? AND index_name = ? AND stat_name ="
                + " 'size'")) {
      ps.setString(1, c.schema());
      ps.setString(2, c.table());
      ps.setString(3, c.indexName());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Math.max(16384, rs.getLong(1)) : 16384;
      }
    } catch (SQLException e) {
      return 16384;
    }
  }
}
