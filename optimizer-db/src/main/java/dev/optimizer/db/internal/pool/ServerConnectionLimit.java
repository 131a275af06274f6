package dev.optimizer.db.internal.pool;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.OptionalInt;

/**
 * How many connections the database server would still accept from this pool: its own limit less
 * the slots reserved for superusers and the connections others hold.
 *
 * <ul>
 *   <li>PostgreSQL: {@code max_connections − superuser_reserved_connections − reserved_connections
 *       (16+) − (client backends − ours)}. The count of client backends is exact for a role with
 *       {@code pg_read_all_stats} (or a superuser); for any other role PostgreSQL hides the type of
 *       other roles' sessions, so every hidden session that belongs to a database is counted as a
 *       client backend, which may count a few background workers too (an autovacuum worker, a
 *       parallel worker) and so errs towards a smaller pool, never a larger one.
 *   <li>MariaDB / MySQL: {@code max_connections − (Threads_connected − ours)} (one extra connection
 *       is kept for a SUPER user by the server itself).
 * </ul>
 */
final class ServerConnectionLimit {
  private ServerConnectionLimit() {}

  /** Whether the database has a connection limit worth asking about. */
  static boolean hasLimit(String system) {
    return switch (system) {
      case "postgresql", "mariadb", "mysql" -> true;
      default -> false;
    };
  }

  /**
   * The connections this pool may hold in total, given that {@code ours} connections (the pool's
   * and the one asking) are ours now; empty when the server has no such limit or does not say.
   */
  static OptionalInt available(Connection c, String system, int ours) throws SQLException {
    return switch (system) {
      case "postgresql" -> postgres(c, ours);
      case "mariadb", "mysql" -> mysql(c, ours);
      default -> OptionalInt.empty();
    };
  }

  private static OptionalInt postgres(Connection c, int ours) throws SQLException {
    String sql =
        "SELECT current_setting('max_connections')::int,"
            + " current_setting('superuser_reserved_connections')::int,"
            + " coalesce(current_setting('reserved_connections', true), '0')::int,"
            // A role without pg_read_all_stats sees other roles' sessions with every column but
            // datid, pid and usesysid NULL, backend_type included: those rows are counted when
            // they belong to a database, which also counts the odd background worker with one
            // (autovacuum, parallel workers) and so errs towards a smaller pool.
            + " (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
            + " OR (backend_type IS NULL AND datid IS NOT NULL))";
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      int max = rs.getInt(1);
      int reserved = rs.getInt(2) + rs.getInt(3);
      int others = Math.max(0, rs.getInt(4) - ours);
      return OptionalInt.of(Math.max(0, max - reserved - others));
    }
  }

  private static OptionalInt mysql(Connection c, int ours) throws SQLException {
    int max;
    int connected;
    try (Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT @@max_connections")) {
        rs.next();
        max = rs.getInt(1);
      }
      try (ResultSet rs = s.executeQuery("SHOW STATUS LIKE 'Threads_connected'")) {
        connected = rs.next() ? rs.getInt(2) : ours;
      }
    }
    return OptionalInt.of(Math.max(0, max - Math.max(0, connected - ours)));
  }
}
