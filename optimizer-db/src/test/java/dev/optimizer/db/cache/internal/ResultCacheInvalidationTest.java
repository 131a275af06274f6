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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The result cache on a real PostgreSQL, where a write changes rows that the statement's text does
 * not name: through a view, inheritance, functions, cascades, several statements in one string.
 * Each test first reads through the cache (and checks the read was stored or served), then writes,
 * then expects the new rows.
 */
class ResultCacheInvalidationTest {
  private static HikariDataSource hikari;
  private static Optimizer optimizer;
  private static DataSource ds;

  @BeforeAll
  static void start() {
    hikari = EmbeddedPostgres.hikari("result-cache-invalidation", 4);
    optimizer = Optimizer.builder().manualTuning().mode(Mode.RECOMMEND).build();
    DbOptimizer db =
        DbOptimizer.builder(optimizer)
            .poolSizing(false)
            .resultCache(ResultCacheSettings.builder().cacheAllReads().build())
            .build();
    ds = db.wrap(hikari);
  }

  @AfterAll
  static void stop() {
    optimizer.close();
    hikari.close();
  }

  @BeforeEach
  void tables() throws Exception {
    try (Connection c = hikari.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP VIEW IF EXISTS rc_w_view");
      s.execute(
          "DROP TABLE IF EXISTS rc_w_item, rc_w_parent, rc_w_kid, rc_w_counter, rc_w_line,"
              + " rc_w_node, rc_w_ref, rc_w_sub CASCADE");
      s.execute("CREATE TABLE rc_w_item (id int PRIMARY KEY, name text)");
      s.execute("INSERT INTO rc_w_item VALUES (1, 'one'), (2, 'two')");
      s.execute("CREATE VIEW rc_w_view AS SELECT id, name FROM rc_w_item");
      s.execute("CREATE TABLE rc_w_parent (id int, v text)");
      s.execute("CREATE TABLE rc_w_kid () INHERITS (rc_w_parent)");
      s.execute("INSERT INTO rc_w_kid VALUES (1, 'kid')");
      s.execute("CREATE TABLE rc_w_counter (n int)");
      s.execute("INSERT INTO rc_w_counter VALUES (0)");
      s.execute(
          "CREATE OR REPLACE FUNCTION rc_w_bump(amount int) RETURNS int AS $$"
              + " UPDATE rc_w_counter SET n = n + amount RETURNING n $$ LANGUAGE sql");
      s.execute("CREATE TABLE rc_w_line (id int PRIMARY KEY, item int)");
      s.execute(
          "CREATE OR REPLACE FUNCTION rc_w_lines(item_id int) RETURNS bigint AS $$"
              + " SELECT count(*) FROM rc_w_line WHERE item = item_id $$ LANGUAGE sql STABLE");
      s.execute(
          "CREATE TABLE rc_w_node (id int PRIMARY KEY,"
              + " parent int REFERENCES rc_w_node(id) ON DELETE CASCADE, name text)");
      s.execute("INSERT INTO rc_w_node VALUES (1, NULL, 'root'), (2, 1, 'leaf')");
      s.execute("CREATE TABLE rc_w_ref (id int PRIMARY KEY, item int REFERENCES rc_w_item(id))");
      s.execute("INSERT INTO rc_w_ref VALUES (1, 1)");
      s.execute(
          "CREATE TABLE rc_w_sub (id int PRIMARY KEY,"
              + " item int REFERENCES rc_w_item(id) ON DELETE CASCADE)");
      s.execute("INSERT INTO rc_w_sub VALUES (2, 2)");
      s.execute(
          "CREATE OR REPLACE FUNCTION rc_w_count_delete() RETURNS trigger AS $$ BEGIN"
              + " UPDATE rc_w_counter SET n = n + 1; RETURN OLD; END $$ LANGUAGE plpgsql");
      s.execute(
          "CREATE TRIGGER rc_w_sub_t AFTER DELETE ON rc_w_sub FOR EACH ROW"
              + " EXECUTE FUNCTION rc_w_count_delete()");
    }
    // The schema was rebuilt behind the cache's back: start from nothing, on new connections
    // (a test's statements may have left the ones it used out of the cache for good).
    hikari.getHikariPoolMXBean().softEvictConnections();
    cache().clear();
    cache().catalog.clear();
  }

  private static ResultCache cache() throws SQLException {
    return ds.unwrap(InstrumentedDataSource.class).instrumentation().resultCache();
  }

  private static String first(String sql) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : "<none>";
    }
  }

  private static String name(int id) throws SQLException {
    try (Connection c = ds.getConnection()) {
      return name(c, id);
    }
  }

  private static String name(Connection c, int id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT name FROM rc_w_item WHERE id = ?")) {
      ps.setInt(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : "<none>";
      }
    }
  }

  /**
   * Runs {@code sql} prepared, with one integer bound (pinned to that key when it is one): a query
   * through {@code executeQuery} (the only method the cache answers), a write through {@code
   * executeUpdate}.
   */
  private static String keyed(String sql, int key) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(1, key);
      if (!sql.startsWith("SELECT")) {
        return String.valueOf(ps.executeUpdate());
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : "<none>";
      }
    }
  }

  private static void execute(String sql) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** Reads {@code sql} twice and checks the second was served by the cache. */
  private static String cached(String sql) throws SQLException {
    String value = first(sql);
    long hits = cache().hits.sum();
    assertThat(first(sql)).isEqualTo(value);
    assertThat(cache().hits.sum()).as("served from the cache: %s", sql).isEqualTo(hits + 1);
    return value;
  }

  /** An UPDATE of an updatable view writes its base table, which the statement does not name. */
  @Test
  void aWriteThroughAnUpdatableViewInvalidatesItsBaseTable() throws Exception {
    assertThat(cached("SELECT name FROM rc_w_item WHERE id = 1")).isEqualTo("one");
    execute("UPDATE rc_w_view SET name = 'uno' WHERE id = 1");
    assertThat(first("SELECT name FROM rc_w_item WHERE id = 1")).isEqualTo("uno");
  }

  /**
   * A parent's rows include its inheritance children's, and a write to the parent changes the
   * children's rows: neither is cached, and a write to either invalidates everything.
   */
  @Test
  void inheritanceParentsAndChildrenAreNotCachedAndTheirWritesInvalidate() throws Exception {
    assertThat(first("SELECT count(*) FROM rc_w_parent")).isEqualTo("1");
    execute("INSERT INTO rc_w_kid VALUES (2, 'kid two')");
    assertThat(first("SELECT count(*) FROM rc_w_parent")).isEqualTo("2");

    assertThat(first("SELECT v FROM rc_w_kid WHERE id = 1")).isEqualTo("kid");
    execute("UPDATE rc_w_parent SET v = 'changed' WHERE id = 1");
    assertThat(first("SELECT v FROM rc_w_kid WHERE id = 1")).isEqualTo("changed");

    assertThat(cached("SELECT name FROM rc_w_item WHERE id = 2")).isEqualTo("two");
    long stores = cache().stores.sum();
    first("SELECT count(*) FROM rc_w_parent");
    first("SELECT v FROM rc_w_kid WHERE id = 1");
    assertThat(cache().stores.sum()).isEqualTo(stores);
  }

  /** {@code SELECT f(?)} where f updates a table: a write the statement's text does not show. */
  @Test
  void aSelectOfAFunctionThatWritesInvalidates() throws Exception {
    assertThat(cached("SELECT n FROM rc_w_counter")).isEqualTo("0");
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT rc_w_bump(?)")) {
      ps.setInt(1, 5);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(5);
      }
    }
    assertThat(first("SELECT n FROM rc_w_counter")).isEqualTo("5");
  }

  /**
   * A function in the select list that reads another table: the query is not a read of {@code
   * rc_w_item} only, so it is not cached (a write of {@code rc_w_line} would not reach it).
   */
  @Test
  void aQueryCallingAFunctionOfTheApplicationIsNotCached() throws Exception {
    String sql = "SELECT id, rc_w_lines(id) FROM rc_w_item WHERE id = 1";
    assertThat(lines(sql)).isZero();
    assertThat(lines(sql)).isZero();
    execute("INSERT INTO rc_w_line VALUES (1, 1)");
    assertThat(lines(sql)).isEqualTo(1);
  }

  private static long lines(String sql) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).isTrue();
      return rs.getLong(2);
    }
  }

  /**
   * A DELETE by key of a table whose foreign key to itself cascades deletes other rows of the same
   * table: the write is not pinned to that key, the whole table is invalidated.
   */
  @Test
  void aDeleteByKeyThatCascadesWithinItsTableInvalidatesTheTable() throws Exception {
    String read = "SELECT name FROM rc_w_node WHERE id = ?";
    assertThat(keyed(read, 2)).isEqualTo("leaf");
    long hits = cache().hits.sum();
    assertThat(keyed(read, 2)).isEqualTo("leaf");
    assertThat(cache().hits.sum()).isEqualTo(hits + 1);
    assertThat(keyed("DELETE FROM rc_w_node WHERE id = ?", 1)).isEqualTo("1");
    assertThat(keyed(read, 2)).isEqualTo("<none>");
  }

  /**
   * A query by key with a subquery over the whole table depends on every row, not the key's: an
   * insert of another key must invalidate it.
   */
  @Test
  void aQueryByKeyWithASubqueryIsNotPinnedToTheKey() throws Exception {
    String read = "SELECT (SELECT count(*) FROM rc_w_item), name FROM rc_w_item WHERE id = ?";
    assertThat(keyed(read, 1)).isEqualTo("2");
    long hits = cache().hits.sum();
    assertThat(keyed(read, 1)).isEqualTo("2");
    assertThat(cache().hits.sum()).isEqualTo(hits + 1);
    assertThat(keyed("INSERT INTO rc_w_item (id, name) VALUES (?, 'eleven')", 11)).isEqualTo("1");
    assertThat(keyed(read, 1)).isEqualTo("3");
  }

  /**
   * Several statements in one string: the first word ({@code BEGIN}, {@code SET}, {@code SELECT})
   * does not say what the others do; the string must invalidate what it wrote. The read after it
   * runs on another connection (the string's own may be left out of the cache for good).
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "BEGIN; UPDATE rc_w_item SET name = 'uno' WHERE id = 1; COMMIT"
            + " | SELECT name FROM rc_w_item WHERE id = 1 | one | uno",
        "SET application_name = 'rc'; DELETE FROM rc_w_item WHERE id = 2"
            + " | SELECT count(*) FROM rc_w_item | 2 | 1",
        "SELECT 1; TRUNCATE rc_w_node | SELECT count(*) FROM rc_w_node | 2 | 0",
      })
  void severalStatementsInOneStringInvalidateEverything(
      String several, String read, String before, String after) throws Exception {
    assertThat(cached(read)).isEqualTo(before);
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute(several);
      assertThat(first(read)).isEqualTo(after);
    }
  }

  /**
   * A string that begins a transaction and writes in it: the lease cannot tell the transaction is
   * open, so the write is invalidated at once and again at the commit that follows (a read on
   * another connection in between may have stored the old row under the versions of the first
   * invalidation).
   */
  @Test
  void aTransactionBegunInAStringIsInvalidatedAgainAtItsCommit() throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("BEGIN; UPDATE rc_w_item SET name = 'uno' WHERE id = 1");
      assertThat(name(1)).isEqualTo("one"); // another connection: not committed, cached now
      assertThat(name(1)).isEqualTo("one");
      s.execute("COMMIT");
    }
    assertThat(name(1)).isEqualTo("uno");
  }

  /**
   * {@code TRUNCATE ... CASCADE} empties a table whose foreign key has no {@code ON DELETE} action
   * (so the catalog does not list it as written by cascades).
   */
  @Test
  void truncateCascadeInvalidatesTheTablesReferencingIt() throws Exception {
    assertThat(cached("SELECT count(*) FROM rc_w_ref")).isEqualTo("1");
    execute("TRUNCATE rc_w_item CASCADE");
    assertThat(first("SELECT count(*) FROM rc_w_ref")).isEqualTo("0");
  }

  /**
   * A delete that cascades to a child table with a trigger: the trigger fires for the cascaded rows
   * and writes a table neither statement names.
   */
  @Test
  void aTriggerOnATableACascadeReachesInvalidatesEverything() throws Exception {
    assertThat(cached("SELECT n FROM rc_w_counter")).isEqualTo("0");
    execute("DELETE FROM rc_w_item WHERE id = 2");
    assertThat(first("SELECT n FROM rc_w_counter")).isEqualTo("1");
  }

  /**
   * A REPEATABLE READ transaction reads its snapshot: a row cached (by another connection) after
   * the snapshot was taken is newer than what it must see, so its reads bypass the cache.
   */
  @Test
  void aRepeatableReadTransactionReadsItsSnapshotNotTheCache() throws Exception {
    try (Connection t = ds.getConnection()) {
      t.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      t.setAutoCommit(false);
      assertThat(name(t, 1)).isEqualTo("one"); // the snapshot is taken
      execute("UPDATE rc_w_item SET name = 'uno' WHERE id = 1");
      long hits = cache().hits.sum();
      assertThat(name(1)).isEqualTo("uno");
      assertThat(name(1)).isEqualTo("uno");
      assertThat(cache().hits.sum()).isEqualTo(hits + 1); // the new row is cached
      assertThat(name(t, 1)).isEqualTo("one");
      t.rollback();
    }
  }
}
