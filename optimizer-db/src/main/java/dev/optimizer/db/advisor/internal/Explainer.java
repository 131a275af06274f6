package dev.optimizer.db.advisor.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;

/**
 * Runs {@code EXPLAIN (FORMAT JSON)} — never ANALYZE, so nothing executes — on a sampled execution,
 * with its real values bound, so that the planner chooses as it did for the application.
 */
public final class Explainer {
  private Explainer() {}

  /** The plan of a sample on the given connection (PostgreSQL). */
  public static Plan explain(Connection c, ExecutionSample sample) throws SQLException {
    String json = json(c, "EXPLAIN (FORMAT JSON) ", sample);
    try {
      return Plan.parse(json);
    } catch (RuntimeException e) {
      throw new SQLException("unreadable EXPLAIN output: " + e.getMessage(), e);
    }
  }

  /** The plan of a sample on the given connection (MariaDB/MySQL {@code EXPLAIN FORMAT=JSON}). */
  public static Plan explainMariaDb(Connection c, ExecutionSample sample) throws SQLException {
    String json = json(c, "EXPLAIN FORMAT=JSON ", sample);
    try {
      return MariaDbPlans.parse(json);
    } catch (RuntimeException e) {
      throw new SQLException("unreadable EXPLAIN output: " + e.getMessage(), e);
    }
  }

  private static String json(Connection c, String prefix, ExecutionSample sample)
      throws SQLException {
    String sql = prefix + sample.sql();
    String json;
    if (sample.prepared()) {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        Object[] values = sample.parameters();
        for (int i = 0; i < values.length; i++) {
          if (values[i] == null) {
            ps.setNull(i + 1, Types.NULL);
          } else {
            ps.setObject(i + 1, values[i]);
          }
        }
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          json = rs.getString(1);
        }
      }
    } else {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        json = rs.getString(1);
      }
    }
    return json;
  }
}
