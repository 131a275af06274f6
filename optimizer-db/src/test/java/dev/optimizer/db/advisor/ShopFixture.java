package dev.optimizer.db.advisor;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Mode;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.runtime.Optimizer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * A small shop (customers, orders) in a database of its own on a real PostgreSQL, primary keys
 * only, with a wrapped pool whose DbOptimizer samples the workload.
 */
final class ShopFixture implements AutoCloseable {
  final String jdbcUrl;
  final HikariDataSource pool;
  final Optimizer optimizer;
  final DbOptimizer db;
  final DataSource wrapped;

  /**
   * Creates the database {@code name} on the server at {@code adminUrl} (dropping an old one).
   *
   * @param urlFor turns a database name into a JDBC URL on that server
   */
  ShopFixture(String adminUrl, java.util.function.Function<String, String> urlFor, String name)
      throws SQLException {
    try (Connection c = DriverManager.getConnection(adminUrl, "postgres", "postgres");
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      s.execute("CREATE DATABASE " + name);
    }
    jdbcUrl = urlFor.apply(name);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setUsername("postgres");
    config.setPassword("postgres");
    config.setPoolName("advisor-" + name);
    config.setMaximumPoolSize(4);
    pool = new HikariDataSource(config);
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, country text NOT"
              + " NULL, active boolean NOT NULL, name text)");
      s.execute(
          "INSERT INTO customers SELECT g, 'user' || g || '@example.com', (ARRAY['de', 'fr',"
              + " 'us', 'uk'])[1 + g % 4], g % 3 <> 0, 'name ' || g FROM generate_series(1,"
              + " 20000) g");
      s.execute(
          "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, status text"
              + " NOT NULL, created_at timestamp NOT NULL, total numeric(10, 2) NOT NULL)");
      s.execute(
          "INSERT INTO orders SELECT g, 1 + (g * 7919) % 20000, (ARRAY['new', 'paid',"
              + " 'shipped'])[1 + g % 3], timestamp '2024-01-01' + (g || ' minutes')::interval,"
              + " (g % 500) + 0.99 FROM generate_series(1, 60000) g");
      s.execute("ANALYZE customers");
      s.execute("ANALYZE orders");
    }
    optimizer = Optimizer.builder().manualTuning().mode(Mode.RECOMMEND).build();
    db = DbOptimizer.builder(optimizer).poolSizing(false).indexAdvisor(true).build();
    wrapped = db.wrap(pool);
  }

  /** The shop's read workload through the wrapped pool. */
  void runWorkload(int rounds) throws SQLException {
    try (Connection c = wrapped.getConnection()) {
      for (int i = 1; i <= rounds; i++) {
        query(
            c,
            "SELECT id, name FROM customers WHERE email = ?",
            "user" + (i * 37) + "@example.com");
        query(
            c,
            "SELECT id, total FROM orders WHERE customer_id = ? ORDER BY created_at DESC LIMIT 5",
            (long) (i * 13));
        query(c, "SELECT count(*) FROM orders WHERE status = ?", "paid");
        query(c, "SELECT count(*) FROM customers WHERE country = ? AND active = ?", "de", true);
      }
    }
  }

  static List<Object> query(Connection c, String sql, Object... values) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        ps.setObject(i + 1, values[i]);
      }
      List<Object> first = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          first.add(rs.getObject(1));
        }
      }
      return first;
    }
  }

  /** Names of the indexes on the shop's tables, with whether each is valid. */
  List<String> indexes() throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT ic.relname, i.indisvalid FROM pg_index i JOIN pg_class ic ON ic.oid ="
                    + " i.indexrelid JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname IN"
                    + " ('customers', 'orders') ORDER BY 1")) {
      while (rs.next()) {
        out.add(rs.getString(1) + (rs.getBoolean(2) ? "" : " (INVALID)"));
      }
    }
    return out;
  }

  @Override
  public void close() {
    optimizer.close();
    pool.close();
  }
}
