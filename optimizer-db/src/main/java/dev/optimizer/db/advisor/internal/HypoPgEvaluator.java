package dev.optimizer.db.advisor.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluation with HypoPG: a hypothetical index exists only in this session's planner, costs nothing
 * to make and takes no lock. Each candidate is made, the statements EXPLAINed, and the session
 * reset.
 */
public final class HypoPgEvaluator implements Evaluator {
  private final Connection connection;

  /** Uses a connection of its own (autocommit) on a database with the extension installed. */
  public HypoPgEvaluator(Connection connection) {
    this.connection = connection;
  }

  @Override
  public String method() {
    return "hypopg";
  }

  @Override
  public Evaluation evaluate(Candidate candidate, List<Probe> probes) throws SQLException {
    try {
      long oid;
      try (PreparedStatement ps =
          connection.prepareStatement("SELECT indexrelid FROM hypopg_create_index(?)")) {
        ps.setString(1, candidate.hypotheticalDdl());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          oid = rs.getLong(1);
        }
      }
      long bytes;
      try (PreparedStatement ps = connection.prepareStatement("SELECT hypopg_relation_size(?)")) {
        ps.setLong(1, oid);
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
      try (Statement s = connection.createStatement()) {
        s.execute("SELECT hypopg_reset()");
      }
    }
  }
}
