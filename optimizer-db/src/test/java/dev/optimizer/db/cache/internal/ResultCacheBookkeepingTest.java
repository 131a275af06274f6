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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the result cache keeps per query besides its results (key pins per statement text, refresh
 * recipes per written key, version slots per keyed table) stays within its budget, a quarter of
 * {@code maximumBytes}, under a workload of many distinct statements and keys, on a real
 * PostgreSQL; and a table left without key slots is still invalidated by a write to one of its
 * rows.
 */
class ResultCacheBookkeepingTest {
  private static final String[] TABLES = {"bk_a", "bk_b", "bk_c"};
  private static final int ROWS = 1_000;

  private HikariDataSource hikari;
  private Optimizer optimizer;
  private DataSource ds;

  @BeforeEach
  void start() throws Exception {
    hikari = EmbeddedPostgres.hikari("bookkeeping", 2);
    try (Connection c = hikari.getConnection();
        Statement s = c.createStatement()) {
      for (String t : TABLES) {
        s.execute("DROP TABLE IF EXISTS " + t);
        s.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, name text)");
        s.execute("INSERT INTO " + t + " SELECT g, 'v0' FROM generate_series(1, " + ROWS + ") g");
      }
    }
    optimizer = Optimizer.builder().manualTuning().mode(Mode.RECOMMEND).build();
    DbOptimizer db =
        DbOptimizer.builder(optimizer)
            .poolSizing(false)
            .resultCache(
                ResultCacheSettings.builder()
                    .cacheAllReads()
                    .maximumBytes(1L << 20)
                    .refreshAhead(true)
                    .build())
            .build();
    ds = db.wrap(hikari);
  }

  @AfterEach
  void stop() {
    optimizer.close();
    hikari.close();
  }

  private ResultCache cache() throws SQLException {
    return ds.unwrap(InstrumentedDataSource.class).instrumentation().resultCache();
  }

  /** A read by key; {@code variant} makes its text one of many distinct ones. */
  private static String read(Connection c, String table, int variant, int id) throws SQLException {
    String sql = "SELECT name AS name_" + variant + " FROM " + table + " WHERE id = ?";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : "<none>";
      }
    }
  }

  @Test
  void manyDistinctStatementsAndKeysStayWithinTheBookkeepingBudget() throws Exception {
    ResultCache cache = cache();
    long budget = cache.bookkeepingBudget;
    assertThat(budget).isEqualTo((1L << 20) / 4);
    try (Connection c = ds.getConnection()) {
      for (int id = 1; id <= ROWS; id++) {
        for (String t : TABLES) {
          read(c, t, id % 400, id);
        }
      }
      // Every read was stored (each key once): the bookkeeping saw 3,000 keys and 1,200 texts.
      assertThat(cache.stores.sum()).isEqualTo(3L * ROWS);
      assertThat(cache.bookkeepingBytes()).isPositive().isLessThanOrEqualTo(budget);

      // The tables past the key slots' share still see a write to one row, read by key.
      for (String t : TABLES) {
        assertThat(read(c, t, 7, 7)).isEqualTo("v0");
        assertThat(read(c, t, 7, 8)).isEqualTo("v0");
        long hits = cache.hits.sum();
        assertThat(read(c, t, 7, 7)).isEqualTo("v0");
        assertThat(cache.hits.sum()).isEqualTo(hits + 1);
        try (PreparedStatement ps =
            c.prepareStatement("UPDATE " + t + " SET name = 'v1' WHERE id = ?")) {
          ps.setInt(1, 7);
          assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        assertThat(read(c, t, 7, 7)).as(t).isEqualTo("v1");
        assertThat(read(c, t, 7, 8)).as(t).isEqualTo("v0");
      }
      assertThat(cache.bookkeepingBytes()).isLessThanOrEqualTo(budget);
    }
  }
}
