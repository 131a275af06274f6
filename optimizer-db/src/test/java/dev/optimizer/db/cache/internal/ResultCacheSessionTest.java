package dev.optimizer.db.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Mode;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.cache.ResultCacheSettings;
import dev.optimizer.db.internal.InstrumentedDataSource;
import dev.optimizer.db.support.EmbeddedPostgres;
import dev.optimizer.runtime.Optimizer;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The result cache on a real PostgreSQL where what a connection reads depends on its session: the
 * search path, settings that row-level security policies read. Each test has a pool of its own (one
 * connection, so that every lease gets the connection the last one changed).
 */
class ResultCacheSessionTest {
  private static Optimizer optimizer;
  private static DbOptimizer db;
  private final List<HikariDataSource> pools = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    optimizer = Optimizer.builder().manualTuning().mode(Mode.RECOMMEND).build();
    db =
        DbOptimizer.builder(optimizer)
            .poolSizing(false)
            .resultCache(ResultCacheSettings.builder().cacheAllReads().build())
            .build();
    try (HikariDataSource admin = EmbeddedPostgres.hikari("rc-session-admin", 1);
        Connection c = admin.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS rc_tenant_b CASCADE");
      s.execute("DROP TABLE IF EXISTS rc_settings, rc_tenant_rows");
      s.execute("CREATE TABLE rc_settings (name text)");
      s.execute("INSERT INTO rc_settings VALUES ('public')");
      s.execute("CREATE SCHEMA rc_tenant_b");
      s.execute("CREATE TABLE rc_tenant_b.rc_settings (name text)");
      s.execute("INSERT INTO rc_tenant_b.rc_settings VALUES ('tenant b')");
      s.execute(
          "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'rc_tenant_user')"
              + " THEN CREATE ROLE rc_tenant_user LOGIN; END IF; END $$");
      s.execute("CREATE TABLE rc_tenant_rows (id int PRIMARY KEY, tenant_id int, v text)");
      s.execute("INSERT INTO rc_tenant_rows VALUES (1, 1, 'one'), (2, 2, 'two')");
      s.execute("ALTER TABLE rc_tenant_rows ENABLE ROW LEVEL SECURITY");
      s.execute(
          "CREATE POLICY rc_tenant ON rc_tenant_rows"
              + " USING (tenant_id = current_setting('app.tenant')::int)");
      s.execute("GRANT SELECT ON rc_tenant_rows TO rc_tenant_user");
      s.execute(
          "CREATE OR REPLACE FUNCTION rc_plus(int) RETURNS int LANGUAGE sql"
              + " AS 'SELECT $1 + 1'");
      s.execute(
          "CREATE OR REPLACE FUNCTION rc_switch(local boolean) RETURNS text LANGUAGE sql"
              + " AS $$ SELECT set_config('search_path', 'rc_tenant_b', local) $$");
      s.execute(
          "CREATE OR REPLACE FUNCTION rc_make_temp() RETURNS int LANGUAGE plpgsql AS $$ BEGIN"
              + " CREATE TEMP TABLE rc_settings AS SELECT 'temp'::text AS name; RETURN 1; END $$");
    }
  }

  @AfterAll
  static void stop() {
    optimizer.close();
  }

  @AfterEach
  void closePools() {
    pools.forEach(HikariDataSource::close);
  }

  private HikariDataSource pool(String user, String options) {
    return pool(user, options, 1);
  }

  private HikariDataSource pool(String user, String options, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(
        "jdbc:postgresql://localhost:" + EmbeddedPostgres.server().getPort() + "/postgres");
    config.setUsername(user);
    config.setPoolName("rc-session-" + pools.size());
    config.setMaximumPoolSize(size);
    if (options != null) {
      config.addDataSourceProperty("options", options);
    }
    HikariDataSource pool = new HikariDataSource(config);
    pools.add(pool);
    return pool;
  }

  private static ResultCache cache(DataSource wrapped) throws SQLException {
    return wrapped.unwrap(InstrumentedDataSource.class).instrumentation().resultCache();
  }

  private static String first(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : "<none>";
    }
  }

  private static String first(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection()) {
      return first(c, sql);
    }
  }

  /**
   * {@code set_config('search_path', ..)} is SET by another name: the connection now reads another
   * schema's table of the same name, so a result cached under the old search path must not answer
   * it (the reviewer's scenario: the select was served the public schema's row).
   */
  @Test
  void setConfigOfTheSearchPathIsASessionChange() throws Exception {
    DataSource ds = db.wrap(pool("postgres", null));
    assertThat(first(ds, "SELECT name FROM rc_settings")).isEqualTo("public");
    assertThat(first(ds, "SELECT name FROM rc_settings")).isEqualTo("public"); // cached
    assertThat(cache(ds).hits.sum()).isEqualTo(1);
    try (Connection c = ds.getConnection()) {
      first(c, "SELECT set_config('search_path', 'rc_tenant_b', false)");
      assertThat(first(c, "SELECT name FROM rc_settings")).isEqualTo("tenant b");
    }
    assertThat(first(ds, "SELECT name FROM rc_settings")).isEqualTo("tenant b");
    assertThat(cache(ds).hits.sum()).isEqualTo(1);
  }

  /**
   * A function of the application that leaves the session alone does not cost its connection the
   * cache for good: its session is compared with an untouched connection's and found the same (it
   * used to be left out of the cache forever). One that changes the search path for its transaction
   * only is not served a cached row in it, and gets the cache back once the transaction has ended.
   */
  @Test
  void aFunctionThatLeavesTheSessionAloneKeepsTheConnectionInTheCache() throws Exception {
    DataSource ds = db.wrap(pool("postgres", null));
    assertThat(first(ds, "SELECT name FROM rc_settings")).isEqualTo("public");
    assertThat(first(ds, "SELECT name FROM rc_settings")).isEqualTo("public"); // cached
    assertThat(cache(ds).hits.sum()).isEqualTo(1);

    // The call may have written anything: the next read loads again, the one after is a hit.
    assertThat(first(ds, "SELECT rc_plus(1)")).isEqualTo("2");
    assertThat(first(ds, "SELECT name FROM rc_settings")).isEqualTo("public");
    assertThat(first(ds, "SELECT name FROM rc_settings")).isEqualTo("public");
    assertThat(cache(ds).hits.sum()).isEqualTo(2);

    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      first(c, "SELECT rc_switch(true)");
      assertThat(first(c, "SELECT name FROM rc_settings")).isEqualTo("tenant b");
      assertThat(cache(ds).hits.sum()).isEqualTo(2);
      c.commit();
      c.setAutoCommit(true);
      assertThat(first(c, "SELECT name FROM rc_settings")).isEqualTo("public");
      assertThat(first(c, "SELECT name FROM rc_settings")).isEqualTo("public");
    }
    assertThat(cache(ds).hits.sum()).isEqualTo(3);
  }

  /**
   * The reference session is taken from an untouched connection outside a transaction, also when
   * its context was first read inside one (as in an application whose every read runs in a
   * transaction): before, it was asked for only at that first read, so no reference ever came and a
   * call of a function left its connection out of the cache for good.
   */
  @Test
  void aContextFirstReadInATransactionStillGetsItsReferenceSession() throws Exception {
    DataSource ds = db.wrap(pool("postgres", null));
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      assertThat(first(c, "SELECT name FROM rc_settings")).isEqualTo("public");
      c.commit();
    }
    assertThat(first(ds, "SELECT name FROM rc_settings")).isEqualTo("public");
    assertThat(first(ds, "SELECT rc_plus(1)")).isEqualTo("2");
    long hits = cache(ds).hits.sum();
    assertThat(first(ds, "SELECT name FROM rc_settings")).isEqualTo("public");
    assertThat(first(ds, "SELECT name FROM rc_settings")).isEqualTo("public");
    assertThat(cache(ds).hits.sum()).isGreaterThan(hits);
  }

  /**
   * A connection that ran a function before any untouched connection gave the reference is left out
   * only until one does; before, the first comparison without a reference left it out for good.
   */
  @Test
  void aConnectionComparedBeforeAnyReferenceExistsIsComparedAgainLater() throws Exception {
    DataSource ds = db.wrap(pool("postgres", null, 2));
    try (Connection touched = ds.getConnection()) {
      assertThat(first(touched, "SELECT rc_plus(1)")).isEqualTo("2");
      assertThat(first(touched, "SELECT name FROM rc_settings")).isEqualTo("public");
      long hits = cache(ds).hits.sum();
      try (Connection untouched = ds.getConnection()) {
        assertThat(first(untouched, "SELECT name FROM rc_settings")).isEqualTo("public");
      }
      assertThat(first(touched, "SELECT name FROM rc_settings")).isEqualTo("public");
      assertThat(first(touched, "SELECT name FROM rc_settings")).isEqualTo("public");
      assertThat(cache(ds).hits.sum()).isGreaterThan(hits);
    }
  }

  /**
   * A function of the application that changes the session (the search path, or a temporary table
   * in front of the table of the same name) leaves its connection out of the cache: the next read
   * is the database's, never the row cached before.
   */
  @Test
  void aFunctionThatChangesTheSessionLeavesTheConnectionOut() throws Exception {
    DataSource ds = db.wrap(pool("postgres", null));
    assertThat(first(ds, "SELECT name FROM rc_settings")).isEqualTo("public");
    assertThat(first(ds, "SELECT name FROM rc_settings")).isEqualTo("public"); // cached
    assertThat(cache(ds).hits.sum()).isEqualTo(1);
    first(ds, "SELECT rc_switch(false)");
    assertThat(first(ds, "SELECT name FROM rc_settings")).isEqualTo("tenant b");
    assertThat(first(ds, "SELECT name FROM rc_settings")).isEqualTo("tenant b");
    assertThat(cache(ds).hits.sum()).isEqualTo(1);

    DataSource other = db.wrap(pool("postgres", null));
    assertThat(first(other, "SELECT name FROM rc_settings")).isEqualTo("public");
    assertThat(first(other, "SELECT name FROM rc_settings")).isEqualTo("public"); // cached
    long hits = cache(other).hits.sum();
    assertThat(first(other, "SELECT rc_make_temp()")).isEqualTo("1");
    assertThat(first(other, "SELECT name FROM rc_settings")).isEqualTo("temp");
    assertThat(cache(other).hits.sum()).isEqualTo(hits);
  }

  /**
   * {@code SELECT ... INTO TEMP t} creates a temporary table, as {@code CREATE TEMP TABLE t AS}
   * does, that its connection reads in front of the table of the same name: neither connection is
   * served the other's rows of {@code t} (the first was not seen as a temporary table, so the
   * connection that made it stored its temporary rows for the other one).
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT 'temp'::text AS name INTO TEMP rc_settings",
        "SELECT 'temp'::text AS name INTO TEMPORARY TABLE rc_settings",
        "SELECT 'temp'::text AS name INTO LOCAL TEMP rc_settings",
        "CREATE TEMP TABLE rc_settings AS SELECT 'temp'::text AS name",
        "CREATE TEMP VIEW rc_settings AS SELECT 'temp'::text AS name",
      })
  void aTemporaryTableMadeBySelectIntoIsNotServedFromTheCache(String create) throws Exception {
    DataSource ds = db.wrap(pool("postgres", null, 2));
    assertThat(first(ds, "SELECT name FROM rc_settings")).isEqualTo("public");
    try (Connection temp = ds.getConnection();
        Connection plain = ds.getConnection()) {
      try (Statement s = temp.createStatement()) {
        s.execute(create);
      }
      assertThat(first(temp, "SELECT name FROM rc_settings")).isEqualTo("temp");
      assertThat(first(plain, "SELECT name FROM rc_settings")).isEqualTo("public");
      assertThat(first(temp, "SELECT name FROM rc_settings")).isEqualTo("temp");
      assertThat(first(plain, "SELECT name FROM rc_settings")).isEqualTo("public");
    }
  }

  /**
   * A SET run while the optimizer is off is not seen, but not forgotten: when the optimizer is on
   * again, the connection it ran on is not served the rows cached under its old search path.
   */
  @Test
  void aSetRunWhileTheOptimizerIsOffIsNotForgotten() throws Exception {
    DataSource ds = db.wrap(pool("postgres", null));
    assertThat(first(ds, "SELECT name FROM rc_settings")).isEqualTo("public");
    assertThat(first(ds, "SELECT name FROM rc_settings")).isEqualTo("public"); // cached
    assertThat(cache(ds).hits.sum()).isEqualTo(1);
    optimizer.setMode(Mode.OFF);
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("SET search_path = rc_tenant_b");
    } finally {
      optimizer.setMode(Mode.RECOMMEND);
    }
    assertThat(first(ds, "SELECT name FROM rc_settings")).isEqualTo("tenant b");
    assertThat(first(ds, "SELECT name FROM rc_settings")).isEqualTo("tenant b");
    assertThat(cache(ds).hits.sum()).isEqualTo(1);
  }

  /** A SET in a batch of plain statements leaves the connection out, like one run on its own. */
  @Test
  void aSetInABatchIsASessionChange() throws Exception {
    DataSource ds = db.wrap(pool("postgres", null));
    assertThat(first(ds, "SELECT name FROM rc_settings")).isEqualTo("public");
    assertThat(first(ds, "SELECT name FROM rc_settings")).isEqualTo("public"); // cached
    assertThat(cache(ds).hits.sum()).isEqualTo(1);
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.addBatch("UPDATE rc_tenant_b.rc_settings SET name = 'tenant b'");
      s.addBatch("SET search_path = rc_tenant_b");
      s.executeBatch();
    }
    assertThat(first(ds, "SELECT name FROM rc_settings")).isEqualTo("tenant b");
    assertThat(first(ds, "SELECT name FROM rc_settings")).isEqualTo("tenant b");
    assertThat(cache(ds).hits.sum()).isEqualTo(1);
  }

  /**
   * A setting a row-level security policy reads (here from the connection's startup options, which
   * no cache key holds: two pools behind one routing DataSource, one per tenant) decides which rows
   * a query returns; such a table is never cached, or one tenant would be served another's rows.
   */
  @Test
  void tablesWithRowLevelSecurityAreNotCached() throws Exception {
    Routing routing =
        new Routing(
            pool("rc_tenant_user", "-c app.tenant=1"), pool("rc_tenant_user", "-c app.tenant=2"));
    DataSource ds = db.wrap(routing);
    String sql = "SELECT v FROM rc_tenant_rows ORDER BY id";
    assertThat(first(ds, sql)).isEqualTo("one");
    routing.tenant = 2;
    assertThat(first(ds, sql)).isEqualTo("two");
    assertThat(cache(ds).stores.sum()).isZero();
  }

  /** Leases a connection of the current tenant's pool, like a multi-tenant routing DataSource. */
  private static final class Routing implements DataSource {
    private final DataSource one;
    private final DataSource two;
    int tenant = 1;

    Routing(DataSource one, DataSource two) {
      this.one = one;
      this.two = two;
    }

    private DataSource current() {
      return tenant == 1 ? one : two;
    }

    @Override
    public Connection getConnection() throws SQLException {
      return current().getConnection();
    }

    @Override
    public Connection getConnection(String user, String password) throws SQLException {
      return current().getConnection(user, password);
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() {
      return Logger.getGlobal();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
      if (iface.isInstance(this)) {
        return iface.cast(this);
      }
      throw new SQLException("not a wrapper of " + iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
      return iface.isInstance(this);
    }
  }
}
