package dev.optimizer.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Mode;
import dev.optimizer.db.support.EmbeddedPostgres;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGStatement;
import org.postgresql.util.PSQLException;

/** The wrapped DataSource behaves exactly like the delegate, on a real PostgreSQL. */
class JdbcTransparencyTest {
  private static HikariDataSource hikari;
  private static DbTestSupport support;
  private static DataSource ds;

  @BeforeAll
  static void start() throws Exception {
    hikari = EmbeddedPostgres.hikari("transparency", 4);
    support = new DbTestSupport(Mode.RECOMMEND);
    ds = DbOptimizer.create(support.optimizer).wrap(hikari);
    try (Connection c = hikari.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS items");
      s.execute("CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, qty int)");
    }
  }

  @AfterAll
  static void stop() {
    support.close();
    hikari.close();
  }

  @BeforeEach
  void clean() throws Exception {
    try (Connection c = hikari.getConnection();
        Statement s = c.createStatement()) {
      s.execute("TRUNCATE items RESTART IDENTITY");
    }
  }

  @Test
  void theMetaDataLeadsBackToTheWrappedConnection() throws Exception {
    try (Connection c = ds.getConnection()) {
      java.sql.DatabaseMetaData md = c.getMetaData();
      assertThat(md.getConnection()).isSameAs(c);
      assertThat(md.getDatabaseProductName()).isEqualTo("PostgreSQL");
      try (java.sql.ResultSet tables = md.getTables(null, null, "pg_class", null)) {
        assertThat(tables.next()).isTrue();
      }
      assertThat(md.unwrap(org.postgresql.jdbc.PgDatabaseMetaData.class)).isNotNull();
    }
  }

  @Test
  void unwrapReachesThePoolAndTheDriver() throws Exception {
    assertThat(ds.isWrapperFor(HikariDataSource.class)).isTrue();
    assertThat(ds.unwrap(HikariDataSource.class)).isSameAs(hikari);
    try (Connection c = ds.getConnection()) {
      assertThat(c.isWrapperFor(PGConnection.class)).isTrue();
      assertThat(c.unwrap(PGConnection.class)).isNotNull();
      assertThat(c.isWrapperFor(Connection.class)).isTrue();
    }
  }

  @Test
  void statementsResultSetsAndBackReferences() throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      assertThat(s.getConnection()).isSameAs(c);
      assertThat(s.executeUpdate("INSERT INTO items (name, qty) VALUES ('a', 1), ('b', 2)"))
          .isEqualTo(2);
      try (ResultSet rs = s.executeQuery("SELECT name, qty FROM items ORDER BY id")) {
        assertThat(rs.getStatement()).isSameAs(s);
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString("name")).isEqualTo("a");
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(2)).isEqualTo(2);
        assertThat(rs.next()).isFalse();
      }
      assertThat(s.execute("SELECT count(*) FROM items")).isTrue();
      try (ResultSet rs = s.getResultSet()) {
        assertThat(rs.getStatement()).isSameAs(s);
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(2);
      }
    }
  }

  @Test
  void preparedStatementsBatchesAndGeneratedKeys() throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO items (name, qty) VALUES (?, ?)", Statement.RETURN_GENERATED_KEYS)) {
      for (int i = 0; i < 3; i++) {
        ps.setString(1, "n" + i);
        ps.setInt(2, i);
        ps.addBatch();
      }
      assertThat(ps.executeBatch()).containsExactly(1, 1, 1);
      try (ResultSet keys = ps.getGeneratedKeys()) {
        int n = 0;
        while (keys.next()) {
          n++;
          assertThat(keys.getInt("id")).isEqualTo(n);
        }
        assertThat(n).isEqualTo(3);
      }
      ps.setString(1, "null-qty");
      ps.setNull(2, Types.INTEGER);
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
  }

  @Test
  void callableStatements() throws Exception {
    try (Connection c = ds.getConnection();
        CallableStatement cs = c.prepareCall("{? = call upper(?)}")) {
      cs.registerOutParameter(1, Types.VARCHAR);
      cs.setString(2, "abc");
      cs.execute();
      assertThat(cs.getString(1)).isEqualTo("ABC");
    }
  }

  @Test
  void eachStatementHasExactlyItsOwnInterfaceAndUnwrapsToTheDriver() throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        PreparedStatement ps = c.prepareStatement("SELECT 1");
        CallableStatement cs = c.prepareCall("{? = call upper(?)}")) {
      assertThat(s).isNotInstanceOf(PreparedStatement.class);
      assertThat(ps).isNotInstanceOf(CallableStatement.class);
      assertThat(cs).isInstanceOf(CallableStatement.class);
      for (Statement any : List.of(s, ps, cs)) {
        assertThat(any.isWrapperFor(PGStatement.class)).isTrue();
        assertThat(any.unwrap(PGStatement.class)).isNotNull().isNotSameAs(any);
        assertThat(any.getConnection()).isSameAs(c);
        assertThat(any.toString()).startsWith("Optimized[");
      }
      // the wrapped object answers first: the pool's statement, not this wrapper
      assertThat(ps.unwrap(PreparedStatement.class)).isNotSameAs(ps);
    }
  }

  @Test
  void transactionsAndSavepoints() throws Exception {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.executeUpdate("INSERT INTO items (name) VALUES ('kept')");
        Savepoint sp = c.setSavepoint();
        s.executeUpdate("INSERT INTO items (name) VALUES ('undone')");
        c.rollback(sp);
        c.commit();
        s.executeUpdate("INSERT INTO items (name) VALUES ('rolled back')");
        c.rollback();
      }
      c.setAutoCommit(true);
    }
    try (Connection c = hikari.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT string_agg(name, ',') FROM items")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo("kept");
    }
  }

  @Test
  void exceptionsAreTheDriversOwn() throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      assertThatThrownBy(() -> s.executeQuery("SELEC 1"))
          .isExactlyInstanceOf(PSQLException.class)
          .extracting(e -> ((SQLException) e).getSQLState())
          .isEqualTo("42601");
    }
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT * FROM no_such_table WHERE id = ?")) {
      ps.setInt(1, 1);
      assertThatThrownBy(ps::executeQuery).isExactlyInstanceOf(PSQLException.class);
    }
  }

  @Test
  void connectionsReturnToThePool() throws Exception {
    for (int i = 0; i < 20; i++) {
      try (Connection c = ds.getConnection();
          Statement s = c.createStatement()) {
        s.execute("SELECT 1");
      }
    }
    assertThat(hikari.getHikariPoolMXBean().getActiveConnections()).isZero();
  }

  @Test
  void proxiesHaveIdentitySemantics() throws Exception {
    try (Connection c = ds.getConnection();
        Connection d = ds.getConnection()) {
      assertThat(c).isEqualTo(c).isNotEqualTo(d);
      assertThat(c.hashCode()).isEqualTo(c.hashCode());
      assertThat(c.toString()).startsWith("Optimized[");
    }
  }
}
