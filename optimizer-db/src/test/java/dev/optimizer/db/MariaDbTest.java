package dev.optimizer.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Mode;
import dev.optimizer.api.Recommendation;
import dev.optimizer.db.support.EmbeddedMariaDb;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The wrapper on a real MariaDB: JDBC transparency, MySQL-syntax fingerprints, N+1 detection and
 * telemetry with {@code db.system.name=mariadb}.
 */
class MariaDbTest {
  private static HikariDataSource hikari;

  private DbTestSupport support;
  private DbOptimizer db;
  private DataSource ds;

  @BeforeAll
  static void startServer() throws Exception {
    hikari = EmbeddedMariaDb.hikari("maria", 4);
    try (Connection c = hikari.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS people");
      s.execute(
          "CREATE TABLE people (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40) NOT NULL)");
    }
  }

  @AfterAll
  static void stopPool() {
    hikari.close();
  }

  @BeforeEach
  void wrap() throws Exception {
    support = new DbTestSupport(Mode.RECOMMEND);
    db = DbOptimizer.builder(support.optimizer).nPlusOneThreshold(5).build();
    ds = db.wrap(hikari);
    try (Connection c = hikari.getConnection();
        Statement s = c.createStatement()) {
      s.execute("TRUNCATE TABLE people");
      for (int i = 1; i <= 20; i++) {
        s.execute("INSERT INTO people (name) VALUES ('p" + i + "')");
      }
    }
  }

  @org.junit.jupiter.api.AfterEach
  void close() {
    support.close();
  }

  @Test
  void unwrapReachesThePoolAndTheDriver() throws Exception {
    assertThat(ds.unwrap(HikariDataSource.class)).isSameAs(hikari);
    try (Connection c = ds.getConnection()) {
      assertThat(c.isWrapperFor(org.mariadb.jdbc.Connection.class)).isTrue();
      assertThat(c.unwrap(org.mariadb.jdbc.Connection.class)).isNotNull();
    }
  }

  @Test
  void generatedKeysBatchesAndSavepointsBehaveAsTheDriver() throws Exception {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO people (name) VALUES (?)", Statement.RETURN_GENERATED_KEYS)) {
        ps.setString(1, "keyed");
        assertThat(ps.executeUpdate()).isEqualTo(1);
        try (ResultSet keys = ps.getGeneratedKeys()) {
          assertThat(keys.next()).isTrue();
          assertThat(keys.getLong(1)).isEqualTo(21);
        }
        ps.setString(1, "b1");
        ps.addBatch();
        ps.setString(1, "b2");
        ps.addBatch();
        assertThat(ps.executeBatch()).containsExactly(1, 1);
      }
      Savepoint sp = c.setSavepoint("before_delete");
      try (Statement s = c.createStatement()) {
        assertThat(s.executeUpdate("DELETE FROM people")).isEqualTo(23);
        c.rollback(sp);
        c.commit();
        try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM people")) {
          rs.next();
          assertThat(rs.getInt(1)).isEqualTo(23);
        }
      }
      c.setAutoCommit(true);
    }
  }

  @Test
  void driverExceptionsPassThroughUnchanged() throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      assertThatThrownBy(() -> s.executeQuery("SELECT nope FROM people"))
          .isInstanceOf(SQLException.class)
          .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(1054))
          .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42S22"));
    }
    assertThat(db.insight().topByTotalTime(10))
        .filteredOn(t -> t.text().contains("nope"))
        .singleElement()
        .satisfies(t -> assertThat(t.errors()).isEqualTo(1));
  }

  @Test
  void mysqlLiteralsCommentsAndBackticksShareOneFingerprint() throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      drain(s.executeQuery("SELECT `name` FROM `people` WHERE `id` = 3 # first"));
      drain(s.executeQuery("SELECT `name`  FROM `people`\nWHERE `id` = 17 -- second"));
      drain(s.executeQuery("SELECT `name` FROM `people` WHERE `name` = \"p\\\"4\""));
      drain(s.executeQuery("SELECT `name` FROM `people` WHERE `name` = 'it''s' /* c */"));
    }
    List<StatementStats> top = db.insight().topByTotalTime(10);
    assertThat(top)
        .filteredOn(t -> t.text().contains("`id` = ?"))
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.calls()).isEqualTo(2);
              assertThat(t.text()).doesNotContain("#").doesNotContain("first");
            });
    assertThat(top)
        .filteredOn(t -> t.text().contains("`name` = ?"))
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.calls()).isEqualTo(2);
              assertThat(t.text()).doesNotContain("p\\\"4").doesNotContain("it''s");
            });
  }

  @Test
  void findsAnNPlusOneLoop() throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT name FROM people WHERE id = ?")) {
      for (int id = 1; id <= 7; id++) {
        ps.setInt(1, id);
        drain(ps.executeQuery());
      }
    }
    assertThat(db.insight().nPlusOnes())
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.text()).contains("WHERE id = ?");
              assertThat(n.callSite())
                  .hasValueSatisfying(site -> assertThat(site).contains("MariaDbTest"));
            });
    assertThat(support.optimizer.recommendations())
        .extracting(Recommendation::kind)
        .containsExactly("n-plus-one");
  }

  @Test
  void recordsTheSemanticConventionMetricsForMariaDb() throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT name FROM people WHERE id = ?")) {
      ps.setInt(1, 1);
      drain(ps.executeQuery());
    }
    MetricData duration = support.metric("db.client.operation.duration").orElseThrow();
    HistogramPointData point = duration.getHistogramData().getPoints().iterator().next();
    assertThat(point.getAttributes().get(AttributeKey.stringKey("db.system.name")))
        .isEqualTo("mariadb");
    assertThat(point.getAttributes().get(AttributeKey.stringKey("db.query.summary")))
        .isEqualTo("SELECT people");
  }

  private static void drain(ResultSet rs) throws SQLException {
    try (rs) {
      while (rs.next()) {
        // read every row
      }
    }
  }
}
