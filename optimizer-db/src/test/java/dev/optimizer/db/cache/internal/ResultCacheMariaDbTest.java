package dev.optimizer.db.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Mode;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.cache.ResultCacheSettings;
import dev.optimizer.db.support.EmbeddedMariaDb;
import dev.optimizer.runtime.Optimizer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The result cache on a real MariaDB (REPEATABLE READ by default, integer keys, no views). */
class ResultCacheMariaDbTest {
  private static HikariDataSource hikari;
  private static Optimizer optimizer;
  private static DbOptimizer db;
  private static DataSource ds;

  @BeforeAll
  static void start() throws Exception {
    hikari = EmbeddedMariaDb.hikari("maria-cache", 4);
    try (Connection c = hikari.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS rcm_item");
      s.execute("CREATE TABLE rcm_item (id int PRIMARY KEY, name varchar(40), ok boolean)");
      s.execute("INSERT INTO rcm_item VALUES (1, 'one', true), (2, 'two', false)");
    }
    optimizer = Optimizer.builder().manualTuning().mode(Mode.OBSERVE).build();
    db =
        DbOptimizer.builder(optimizer)
            .poolSizing(false)
            .resultCache(ResultCacheSettings.builder().cacheTables("rcm_item").build())
            .build();
    ds = db.wrap(hikari);
  }

  @AfterAll
  static void stop() {
    optimizer.close();
    hikari.close();
  }

  private static String name(Connection c, int id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT name, ok FROM rcm_item WHERE id = ?")) {
      ps.setInt(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString("name") + "/" + rs.getBoolean("ok") : "<none>";
      }
    }
  }

  private static String name(int id) throws SQLException {
    try (Connection c = ds.getConnection()) {
      return name(c, id);
    }
  }

  @Test
  void servesHitsAndSeesTheApplicationsOwnWrites() throws Exception {
    assertThat(name(1)).isEqualTo("one/true");
    long hits = db.resultCacheStats().hits();
    assertThat(name(1)).isEqualTo("one/true");
    assertThat(db.resultCacheStats().hits()).isEqualTo(hits + 1);

    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("UPDATE rcm_item SET name = ? WHERE id = ?")) {
      ps.setString(1, "uno");
      ps.setInt(2, 1);
      ps.executeUpdate();
    }
    assertThat(name(1)).isEqualTo("uno/true");

    assertThat(name(2)).isEqualTo("two/false");
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.executeUpdate("UPDATE rcm_item SET name = 'dos' WHERE id = 2");
      }
      assertThat(name(c, 2)).isEqualTo("dos/false"); // its own write, past the cache
      assertThat(name(2)).isEqualTo("two/false");
      c.commit();
      c.setAutoCommit(true);
    }
    assertThat(name(2)).isEqualTo("dos/false");
  }

  @Test
  void aRepeatableReadTransactionDoesNotStoreWhatItReads() throws Exception {
    long stores = db.resultCacheStats().stores();
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement("SELECT count(*) FROM rcm_item WHERE ok = ?")) {
        ps.setBoolean(1, true);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          assertThat(rs.getInt(1)).isEqualTo(1);
        }
      }
      c.commit();
      c.setAutoCommit(true);
    }
    assertThat(db.resultCacheStats().stores()).isEqualTo(stores);
  }

  private static String first(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : "<none>";
    }
  }

  /**
   * A user variable set by {@code SELECT @v := ..} or {@code SELECT .. INTO @v} (not a SET) is this
   * connection's: a query that reads it is not answered with rows another connection read with its
   * own value (it was, as the variable is in no cache key).
   */
  @Test
  void aQueryReadingAUserVariableIsNotServedAnotherConnectionsRows() throws Exception {
    String sql = "SELECT id FROM rcm_item WHERE id = @rcm_id";
    try (Connection a = ds.getConnection();
        Connection b = ds.getConnection()) {
      assertThat(first(a, "SELECT @rcm_id := 1")).isEqualTo("1");
      assertThat(first(a, sql)).isEqualTo("1");
      try (Statement s = b.createStatement()) {
        s.execute("SELECT 2 INTO @rcm_id");
      }
      assertThat(first(a, sql)).isEqualTo("1");
      assertThat(first(b, sql)).isEqualTo("2");
      assertThat(first(a, "SELECT @rcm_id := 2, @rcm_other := 0")).isEqualTo("2");
      assertThat(first(b, "SELECT (@rcm_id := 1) + 0")).isEqualTo("1");
      assertThat(first(a, sql)).isEqualTo("2");
      assertThat(first(b, sql)).isEqualTo("1");
    }
  }

  /**
   * After a query the cache answered (a miss it read, then a hit), the statement's current result
   * set is the one answered, and {@code closeOnCompletion()} closes the statement with it.
   */
  @Test
  void theStatementOfACachedQueryAnswersItsCurrentResult() throws Exception {
    long hits = db.resultCacheStats().hits();
    for (int round = 0; round < 2; round++) {
      try (Connection c = ds.getConnection()) {
        Statement s = c.createStatement();
        s.closeOnCompletion();
        ResultSet rs = s.executeQuery("SELECT id FROM rcm_item WHERE id = 2 AND ok = false");
        assertThat(s.getResultSet()).isNotNull();
        assertThat(s.getUpdateCount()).isEqualTo(-1);
        assertThat(s.isClosed()).isFalse();
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(2);
        rs.close();
        assertThat(s.isClosed()).isTrue();
      }
    }
    assertThat(db.resultCacheStats().hits()).isEqualTo(hits + 1);
  }
}
