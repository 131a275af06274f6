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
 * Evaluation without HypoPG: the index is really built inside a transaction, the statements
 * EXPLAINed in it, and the transaction rolled back, so nothing remains. Building takes a SHARE lock
 * on the table (writers wait) for as long as the build lasts, so the advisor uses this only when
 * the user allows it and only for tables under a size limit; the lock wait and the build itself are
 * each bounded by the advisor's {@code lock_timeout} (a build that takes longer is cancelled, and
 * its candidate noted as not evaluated).
 */
public final class SandboxEvaluator implements Evaluator {
  private final Connection connection;
  private final long maxTableBytes;
  private final Duration lockTimeout;
  private final Duration buildTimeout;

  /**
   * A sandbox on a connection of its own.
   *
   * @param maxTableBytes tables larger than this are not built on
   * @param lockTimeout longest wait for the table lock
   * @param buildTimeout longest build
   */
  public SandboxEvaluator(
      Connection connection, long maxTableBytes, Duration lockTimeout, Duration buildTimeout) {
    this.connection = connection;
    this.maxTableBytes = maxTableBytes;
    this.lockTimeout = lockTimeout;
    this.buildTimeout = buildTimeout;
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
    boolean auto = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (Statement s = connection.createStatement()) {
      s.execute("SET LOCAL lock_timeout = " + lockTimeout.toMillis());
      s.execute("SET LOCAL statement_timeout = " + buildTimeout.toMillis());
      s.execute(candidate.ddl(false));
      long bytes;
      try (PreparedStatement ps =
          connection.prepareStatement("SELECT pg_relation_size(to_regclass(?))")) {
        ps.setString(1, Identifiers.qualified(candidate.schema(), candidate.indexName()));
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          bytes = rs.getLong(1);
        }
      }
      List<Plan> plans = new ArrayList<>();
      for (Probe p : probes) {
        plans.add(Explainer.explain(connection, p.sample()));
      }
      return new Evaluation(candidate, bytes, probes, plans);
    } finally {
      connection.rollback();
      connection.setAutoCommit(auto);
    }
  }
}
