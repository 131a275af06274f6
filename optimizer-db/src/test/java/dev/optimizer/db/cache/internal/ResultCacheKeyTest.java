package dev.optimizer.db.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Mode;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.cache.ResultCacheSettings;
import dev.optimizer.db.internal.InstrumentedDataSource;
import dev.optimizer.db.support.EmbeddedPostgres;
import dev.optimizer.runtime.Optimizer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The result cache on a real PostgreSQL: what else than the text decides what a query returns, and
 * so must either be part of the cache key or keep the query away from the cache.
 */
class ResultCacheKeyTest {
  private static HikariDataSource hikari;
  private static Optimizer optimizer;
  private static DataSource ds;

  @BeforeAll
  static void start() throws Exception {
    hikari = EmbeddedPostgres.hikari("result-cache-key", 2);
    optimizer = Optimizer.builder().manualTuning().mode(Mode.RECOMMEND).build();
    DbOptimizer db =
        DbOptimizer.builder(optimizer)
            .poolSizing(false)
            .resultCache(ResultCacheSettings.builder().cacheAllReads().build())
            .build();
    ds = db.wrap(hikari);
    try (Connection c = hikari.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS rc_k_item");
      s.execute("CREATE TABLE rc_k_item (id int PRIMARY KEY, name text)");
      s.execute("INSERT INTO rc_k_item VALUES (1, 'item one')");
    }
  }

  @AfterAll
  static void stop() {
    optimizer.close();
    hikari.close();
  }

  @BeforeEach
  void empty() throws SQLException {
    cache().clear();
  }

  private static ResultCache cache() throws SQLException {
    return ds.unwrap(InstrumentedDataSource.class).instrumentation().resultCache();
  }

  /**
   * {@code setMaxFieldSize} makes the driver cut long text: a result cached without it must not
   * answer a statement with it (nor the other way round), so such a statement bypasses the cache.
   */
  @Test
  void aStatementWithAMaximumFieldSizeBypassesTheCache() throws Exception {
    String sql = "SELECT name FROM rc_k_item WHERE id = 1";
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      long hits = cache().hits.sum();
      for (int i = 0; i < 2; i++) {
        try (ResultSet rs = s.executeQuery(sql)) {
          rs.next();
          assertThat(rs.getString(1)).isEqualTo("item one");
        }
      }
      assertThat(cache().hits.sum()).isEqualTo(hits + 1);
      s.setMaxFieldSize(4);
      try (ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("item");
      }
    }
  }

  /**
   * A {@code java.sql.Date} equals a {@code Timestamp} of the same instant, but the database is
   * sent a date in one case and a timestamp in the other: one's result must not answer the other.
   */
  @Test
  void aDateAndATimestampOfTheSameInstantAreDifferentParameters() throws Exception {
    String sql = "SELECT CAST(? AS text) FROM rc_k_item WHERE id = 1";
    java.sql.Date date = java.sql.Date.valueOf("2024-01-02");
    java.sql.Timestamp timestamp = java.sql.Timestamp.valueOf("2024-01-02 00:00:00");
    assertThat(date.equals(timestamp)).isTrue(); // why the classes must be compared too
    String asDate;
    String asTimestamp;
    try (Connection c = ds.getConnection();
        java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setDate(1, date);
      asDate = text(ps);
      ps.setTimestamp(1, timestamp);
      asTimestamp = text(ps);
    }
    try (Connection c = hikari.getConnection();
        java.sql.PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setTimestamp(1, timestamp);
      assertThat(asTimestamp).isEqualTo(text(ps)).isNotEqualTo(asDate);
    }
  }

  private static String text(java.sql.PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getString(1);
    }
  }
}
