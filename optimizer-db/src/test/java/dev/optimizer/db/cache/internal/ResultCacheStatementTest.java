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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a statement says about its results after a query the cache answered (a miss it loaded, or a
 * hit): the same as without the cache, on a real PostgreSQL.
 */
class ResultCacheStatementTest {
  private static final String QUERY = "SELECT name FROM rcs_item WHERE id = ?";

  private static HikariDataSource hikari;
  private static Optimizer optimizer;
  private static DataSource ds;

  @BeforeAll
  static void start() throws Exception {
    hikari = EmbeddedPostgres.hikari("rc-statement", 2);
    try (Connection c = hikari.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS rcs_item");
      s.execute("CREATE TABLE rcs_item (id int PRIMARY KEY, name text)");
      s.execute("INSERT INTO rcs_item VALUES (1, 'one'), (2, 'two')");
    }
    optimizer = Optimizer.builder().manualTuning().mode(Mode.RECOMMEND).build();
    DbOptimizer db =
        DbOptimizer.builder(optimizer)
            .poolSizing(false)
            .resultCache(ResultCacheSettings.builder().cacheTables("rcs_item").build())
            .build();
    ds = db.wrap(hikari);
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
   * {@code getResultSet()} is the result set {@code executeQuery} returned, open, until {@code
   * getMoreResults()} closes it; the update count is -1 throughout. The first round is a miss the
   * cache loads (the driver's result set is read and closed), the second a hit (the driver ran
   * nothing): before, the one answered the driver's closed result set, the other null, and on the
   * same statement again the previous, closed one.
   */
  @Test
  void theCurrentResultSetIsTheOneTheCacheAnswered() throws Exception {
    long hits = cache().hits.sum();
    for (int round = 0; round < 2; round++) {
      try (Connection c = ds.getConnection();
          PreparedStatement ps = c.prepareStatement(QUERY)) {
        for (int id = 1; id <= 2; id++) {
          ps.setInt(1, id);
          ResultSet rs = ps.executeQuery();
          ResultSet current = ps.getResultSet();
          assertThat(current).isNotNull();
          assertThat(current.isClosed()).isFalse();
          assertThat(current.next()).isTrue();
          assertThat(current.getString(1)).isEqualTo(id == 1 ? "one" : "two");
          assertThat(rs.isClosed()).isFalse();
          assertThat(ps.getUpdateCount()).isEqualTo(-1);
          assertThat(ps.getLargeUpdateCount()).isEqualTo(-1);
          assertThat(ps.getMoreResults()).isFalse();
          assertThat(rs.isClosed()).isTrue();
          assertThat(ps.getResultSet()).isNull();
          assertThat(ps.getUpdateCount()).isEqualTo(-1);
        }
      }
    }
    assertThat(cache().hits.sum()).isEqualTo(hits + 2);
  }

  /** The same through a plain statement, with {@code getMoreResults(KEEP_CURRENT_RESULT)}. */
  @Test
  void aPlainStatementKeepsItsCurrentResultWhenAskedTo() throws Exception {
    long hits = cache().hits.sum();
    for (int round = 0; round < 2; round++) {
      try (Connection c = ds.getConnection();
          Statement s = c.createStatement()) {
        ResultSet rs = s.executeQuery("SELECT name FROM rcs_item WHERE id = 2");
        assertThat(s.getResultSet()).isNotNull();
        assertThat(s.getMoreResults(Statement.KEEP_CURRENT_RESULT)).isFalse();
        assertThat(rs.isClosed()).isFalse();
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("two");
        assertThat(s.getResultSet()).isNull();
      }
    }
    assertThat(cache().hits.sum()).isEqualTo(hits + 1);
  }

  /** Closing the statement closes the result set the cache answered it with. */
  @Test
  void closingTheStatementClosesItsCachedResultSet() throws Exception {
    for (int round = 0; round < 2; round++) {
      try (Connection c = ds.getConnection()) {
        PreparedStatement ps = c.prepareStatement(QUERY);
        ps.setInt(1, 2);
        ResultSet rs = ps.executeQuery();
        ps.close();
        assertThat(rs.isClosed()).as("round %d", round).isTrue();
      }
    }
  }

  /**
   * With {@code closeOnCompletion()} the statement closes when the result set the cache answered is
   * closed, not before (a miss closed it as soon as the driver's rows were read) and not only when
   * the connection goes back to the pool (a hit left it open).
   */
  @Test
  void closeOnCompletionClosesTheStatementWithItsCachedResultSet() throws Exception {
    long hits = cache().hits.sum();
    for (int round = 0; round < 2; round++) {
      try (Connection c = ds.getConnection()) {
        PreparedStatement ps = c.prepareStatement(QUERY);
        ps.closeOnCompletion();
        ps.setInt(1, 1);
        ResultSet rs = ps.executeQuery();
        assertThat(ps.isClosed()).as("round %d, result set open", round).isFalse();
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("one");
        rs.close();
        assertThat(ps.isClosed()).as("round %d, result set closed", round).isTrue();

        Statement s = c.createStatement();
        s.closeOnCompletion();
        try (ResultSet plain = s.executeQuery("SELECT name FROM rcs_item WHERE id = 2")) {
          assertThat(s.isClosed()).isFalse();
          assertThat(plain.next()).isTrue();
        }
        assertThat(s.isClosed()).isTrue();
      }
    }
    assertThat(cache().hits.sum()).isEqualTo(hits + 2);
  }
}
