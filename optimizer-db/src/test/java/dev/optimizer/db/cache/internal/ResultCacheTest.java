package dev.optimizer.db.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Mode;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.cache.ResultCacheSettings;
import dev.optimizer.db.cache.ResultCacheStats;
import dev.optimizer.db.internal.InstrumentedDataSource;
import dev.optimizer.db.support.EmbeddedPostgres;
import dev.optimizer.runtime.Optimizer;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The result cache on a real PostgreSQL: what it serves, what it refuses, when it forgets. */
class ResultCacheTest {
  private static HikariDataSource hikari;
  private static Optimizer optimizer;
  private static DbOptimizer db;
  private static DataSource ds;

  @BeforeAll
  static void start() throws Exception {
    hikari = EmbeddedPostgres.hikari("result-cache", 12);
    optimizer = Optimizer.builder().manualTuning().mode(Mode.RECOMMEND).build();
    db =
        DbOptimizer.builder(optimizer)
            .poolSizing(false)
            .resultCache(
                ResultCacheSettings.builder().cacheAllReads().maximumEntryBytes(16 * 1024).build())
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
      s.execute("DROP VIEW IF EXISTS rc_item_view");
      s.execute("DROP TABLE IF EXISTS rc_child, rc_item, rc_audit, rc_logged CASCADE");
      s.execute(
          "CREATE TABLE rc_item (id int PRIMARY KEY, name text, price numeric(10,2),"
              + " ok boolean, at timestamp, data bytea)");
      s.execute(
          "INSERT INTO rc_item SELECT g, 'item ' || g, g * 1.5, g % 2 = 0,"
              + " timestamp '2024-01-02 03:04:05' + g * interval '1 hour', '\\x0102'::bytea"
              + " FROM generate_series(1, 2000) g");
      s.execute("UPDATE rc_item SET name = NULL WHERE id = 3");
      s.execute(
          "CREATE TABLE rc_child (id int PRIMARY KEY,"
              + " item int REFERENCES rc_item(id) ON DELETE CASCADE)");
      s.execute("INSERT INTO rc_child VALUES (1, 1), (2, 2)");
      s.execute("CREATE VIEW rc_item_view AS SELECT id, name FROM rc_item");
      s.execute("CREATE TABLE rc_audit (n int)");
      s.execute("INSERT INTO rc_audit VALUES (0)");
      s.execute("CREATE TABLE rc_logged (id int)");
      s.execute(
          "CREATE OR REPLACE FUNCTION rc_log() RETURNS trigger AS $$ BEGIN"
              + " UPDATE rc_audit SET n = n + 1; RETURN NEW; END $$ LANGUAGE plpgsql");
      s.execute(
          "CREATE TRIGGER rc_logged_t AFTER INSERT ON rc_logged FOR EACH ROW"
              + " EXECUTE FUNCTION rc_log()");
    }
    // The schema was rebuilt behind the cache's back: start from nothing.
    cache().clear();
    cache().catalog.clear();
  }

  private static ResultCache cache() throws SQLException {
    return ds.unwrap(InstrumentedDataSource.class).instrumentation().resultCache();
  }

  private static String name(int id) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT name FROM rc_item WHERE id = ?")) {
      ps.setInt(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : "<none>";
      }
    }
  }

  private static void update(String sql) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate(sql);
    }
  }

  private static long one(String sql) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void servesTheSecondReadFromTheCache() throws Exception {
    ResultCacheStats before = db.resultCacheStats();
    assertThat(name(5)).isEqualTo("item 5");
    assertThat(name(5)).isEqualTo("item 5");
    assertThat(name(6)).isEqualTo("item 6");
    ResultCacheStats after = db.resultCacheStats();
    assertThat(after.hits() - before.hits()).isEqualTo(1);
    assertThat(after.misses() - before.misses()).isEqualTo(2);
    assertThat(after.stores() - before.stores()).isEqualTo(2);
  }

  @Test
  void aCachedResultReadsLikeTheDriversOwn() throws Exception {
    String sql = "SELECT id, name, price, ok, at, data FROM rc_item WHERE id IN (2, 3) ORDER BY id";
    List<List<Object>> driver = rows(hikari, sql);
    rows(ds, sql); // load
    long hits = db.resultCacheStats().hits();
    List<List<Object>> cached = rows(ds, sql);
    assertThat(db.resultCacheStats().hits()).isEqualTo(hits + 1);
    assertThat(cached).isEqualTo(driver);
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.getStatement()).isSameAs(s);
      ResultSetMetaData md = rs.getMetaData();
      assertThat(md.getColumnCount()).isEqualTo(6);
      assertThat(md.getColumnLabel(3)).isEqualTo("price");
      assertThat(md.getColumnTypeName(4)).isEqualTo("bool");
      assertThat(rs.findColumn("NAME")).isEqualTo(2);
      assertThat(rs.isBeforeFirst()).isTrue();
      assertThatThrownBy(() -> rs.getString(1)).isInstanceOf(SQLException.class);
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt("id")).isEqualTo(2);
      assertThat(rs.getBigDecimal("price")).isEqualByComparingTo(new BigDecimal("3.00"));
      assertThat(rs.getDouble(3)).isEqualTo(3.0);
      assertThat(rs.getBoolean("ok")).isTrue();
      assertThat(rs.getTimestamp("at")).isEqualTo(Timestamp.valueOf("2024-01-02 05:04:05"));
      assertThat(rs.getObject("at", java.time.LocalDateTime.class))
          .isEqualTo(java.time.LocalDateTime.of(2024, 1, 2, 5, 4, 5));
      assertThat(rs.getBytes("data")).containsExactly(1, 2);
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString("name")).isNull();
      assertThat(rs.wasNull()).isTrue();
      assertThat(rs.getInt("id")).isEqualTo(3);
      assertThat(rs.wasNull()).isFalse();
      assertThat(rs.next()).isFalse();
      assertThatThrownBy(() -> rs.getString(1)).isInstanceOf(SQLException.class);
      assertThatThrownBy(() -> rs.absolute(1)).isInstanceOf(SQLException.class);
      rs.close();
      assertThat(rs.isClosed()).isTrue();
    }
  }

  /**
   * {@code getObject(column, LocalTime.class)} and {@code LocalDateTime.class} answer from the
   * cache what the driver answers, to the microsecond. The cache holds the driver's {@code
   * getObject}, a {@code java.sql.Time} of milliseconds at most, whose {@code toLocalTime()} drops
   * even those: 13:14:15.123456 came back as 13:14:15.
   */
  @Test
  void javaTimeValuesReadFromTheCacheKeepTheirFractionsOfASecond() throws Exception {
    String sql =
        "SELECT (at + interval '0.123456 second')::time AS t,"
            + " at + interval '0.123456 second' AS ts FROM rc_item WHERE id = ?";
    List<Object> driver = javaTimes(hikari, sql);
    assertThat(driver.get(0)).isEqualTo(java.time.LocalTime.of(4, 4, 5, 123_456_000));
    javaTimes(ds, sql); // load
    long hits = db.resultCacheStats().hits();
    assertThat(javaTimes(ds, sql)).isEqualTo(driver);
    assertThat(db.resultCacheStats().hits()).isEqualTo(hits + 1);
  }

  private static List<Object> javaTimes(DataSource source, String sql) throws SQLException {
    try (Connection c = source.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(1, 1);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return List.of(
            rs.getObject("t", java.time.LocalTime.class),
            rs.getObject("ts", java.time.LocalDateTime.class));
      }
    }
  }

  /**
   * Every column of a row of the usual PostgreSQL types, read through every getter, answers from
   * the cache what it answers from the driver: the same value, or a failure where the driver fails.
   * (Where the driver fails, the cache may answer.) The JVM's zone is one with daylight saving and
   * not UTC while it runs, so that a conversion through the wrong zone shows (pgjdbc reads a {@code
   * timestamp} without zone as UTC for {@code OffsetDateTime}).
   */
  @Test
  void everyGetterOfEveryTypeAnswersFromTheCacheWhatTheDriverAnswers() throws Exception {
    java.util.TimeZone zone = java.util.TimeZone.getDefault();
    java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone("America/New_York"));
    try {
      try (Connection c = hikari.getConnection();
          Statement s = c.createStatement()) {
        s.execute("DROP TABLE IF EXISTS rc_types");
        s.execute(
            "CREATE TABLE rc_types (ts timestamp, tstz timestamptz, d date, t time, ttz timetz,"
                + " num numeric(12,3), i2 int2, i4 int4, i8 int8, f4 float4, f8 float8,"
                + " b bool, txt text, bin bytea, u uuid, js json, jsb jsonb, ints int[],"
                + " texts text[])");
        s.execute(
            "INSERT INTO rc_types VALUES ('2024-03-10 02:30:00.123456',"
                + " '2024-01-02 03:04:05.5+02', '2024-02-29', '13:14:15.123456',"
                + " '13:14:15.5+05:30', 12345.678, 7, 8, 9000000000, 1.5, 2.25, true, '12',"
                + " '\\x0102', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{\"a\": 1}',"
                + " '{\"b\": 2}', '{1,2}', '{x,y}')");
      }
      // The columns the cache keeps; then those it does not (json, arrays), read through it.
      for (String sql :
          List.of(
              "SELECT ts, tstz, d, t, ttz, num, i2, i4, i8, f4, f8, b, txt, bin, u FROM rc_types",
              "SELECT js, jsb, ints, texts FROM rc_types")) {
        List<String> driver = EveryGetter.read(hikari, sql);
        EveryGetter.read(ds, sql); // load
        long hits = db.resultCacheStats().hits();
        List<String> cached = EveryGetter.read(ds, sql);
        if (sql.startsWith("SELECT ts")) {
          assertThat(db.resultCacheStats().hits()).isEqualTo(hits + 1);
        }
        EveryGetter.assertAnswersAsTheDriver(cached, driver);
      }
    } finally {
      java.util.TimeZone.setDefault(zone);
    }
  }

  private static List<List<Object>> rows(DataSource source, String sql) throws SQLException {
    List<List<Object>> out = new ArrayList<>();
    try (Connection c = source.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          Object v = rs.getObject(i);
          row.add(v instanceof byte[] b ? java.util.Arrays.toString(b) : v);
          row.add(rs.getString(i));
        }
        out.add(row);
      }
    }
    return out;
  }

  /**
   * {@code id = ANY(?)} with an array (PostgreSQL's IN list of any length, Hibernate's batch fetch)
   * reads its table like any query: it is cached and invalidates nothing. The parser reads {@code
   * ANY(?)} as a call of a function named ANY, which the cache took for a function of the
   * application: every such query emptied the whole cache and left its connection out of it.
   */
  @Test
  void aQueryOfAnArrayOfKeysIsCachedAndInvalidatesNothing() throws Exception {
    assertThat(name(40)).isEqualTo("item 40");
    String sql = "SELECT name FROM rc_item WHERE id = ANY(?) ORDER BY id";
    long invalidations = db.resultCacheStats().invalidations();
    assertThat(names(sql, 41, 42)).containsExactly("item 41", "item 42");
    long hits = db.resultCacheStats().hits();
    assertThat(names(sql, 41, 42)).containsExactly("item 41", "item 42");
    assertThat(name(40)).isEqualTo("item 40");
    assertThat(db.resultCacheStats().hits()).isEqualTo(hits + 2);
    assertThat(db.resultCacheStats().invalidations()).isEqualTo(invalidations);
    // A write of one of its keys still reaches it.
    update("UPDATE rc_item SET name = 'forty-one' WHERE id = 41");
    assertThat(names(sql, 41, 42)).containsExactly("forty-one", "item 42");
    // A java.sql.Array (setArray) equals only itself: its results are not stored, never to be read.
    long stores = db.resultCacheStats().stores();
    invalidations = db.resultCacheStats().invalidations();
    for (int i = 0; i < 2; i++) {
      try (Connection c = ds.getConnection();
          PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setArray(1, c.createArrayOf("int4", new Integer[] {41, 42}));
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).isEqualTo("forty-one");
        }
      }
    }
    assertThat(db.resultCacheStats().stores()).isEqualTo(stores);
    assertThat(db.resultCacheStats().invalidations()).isEqualTo(invalidations);
  }

  private static List<String> names(String sql, Integer... ids) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, ids);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  @Test
  void anAutoCommitWriteInvalidatesAtOnce() throws Exception {
    assertThat(name(7)).isEqualTo("item 7");
    update("UPDATE rc_item SET name = 'seven' WHERE id = 7");
    assertThat(name(7)).isEqualTo("seven");
  }

  @Test
  void aTransactionalWriteInvalidatesAtCommitAndNotAtRollback() throws Exception {
    assertThat(name(8)).isEqualTo("item 8");
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.executeUpdate("UPDATE rc_item SET name = 'eight' WHERE id = 8");
      }
      // Its own later reads bypass the cache and see its write.
      try (PreparedStatement ps = c.prepareStatement("SELECT name FROM rc_item WHERE id = ?")) {
        ps.setInt(1, 8);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          assertThat(rs.getString(1)).isEqualTo("eight");
        }
      }
      assertThat(name(8)).isEqualTo("item 8"); // not committed yet
      c.commit();
      assertThat(name(8)).isEqualTo("eight");
      c.setAutoCommit(true);
    }
    long invalidations = db.resultCacheStats().invalidations();
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.executeUpdate("UPDATE rc_item SET name = 'gone' WHERE id = 8");
      }
      c.rollback();
      c.setAutoCommit(true);
    }
    assertThat(db.resultCacheStats().invalidations()).isEqualTo(invalidations);
    long hits = db.resultCacheStats().hits();
    assertThat(name(8)).isEqualTo("eight");
    assertThat(db.resultCacheStats().hits()).isEqualTo(hits + 1);
  }

  @Test
  void aWriteToOneKeyKeepsTheOtherKeysCached() throws Exception {
    assertThat(name(20)).isEqualTo("item 20");
    assertThat(name(21)).isEqualTo("item 21");
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("UPDATE rc_item SET name = ? WHERE id = ?")) {
      ps.setString(1, "twenty");
      ps.setLong(2, 20L); // a long binds the same key as the int the reads used
      ps.executeUpdate();
    }
    long hits = db.resultCacheStats().hits();
    assertThat(name(21)).isEqualTo("item 21");
    assertThat(db.resultCacheStats().hits()).isEqualTo(hits + 1);
    assertThat(name(20)).isEqualTo("twenty");
    // A write not pinned to a key drops every cached read of the table.
    update("UPDATE rc_item SET name = 'x' || name WHERE id BETWEEN 21 AND 22");
    assertThat(name(21)).isEqualTo("xitem 21");
    // A pinned write drops unpinned reads of its table.
    assertThat(one("SELECT count(*) FROM rc_item WHERE name = 'twenty'")).isEqualTo(1);
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("DELETE FROM rc_item WHERE id = ?")) {
      ps.setInt(1, 20);
      ps.executeUpdate();
    }
    assertThat(one("SELECT count(*) FROM rc_item WHERE name = 'twenty'")).isZero();
    assertThat(name(20)).isEqualTo("<none>");
  }

  @Test
  void writesWhileTheOptimizerIsOffStillInvalidate() throws Exception {
    assertThat(name(30)).isEqualTo("item 30");
    optimizer.setMode(Mode.OFF);
    try {
      update("UPDATE rc_item SET name = 'thirty' WHERE id = 30");
      assertThat(name(30)).isEqualTo("thirty"); // served by the database while off
    } finally {
      optimizer.setMode(Mode.RECOMMEND);
    }
    assertThat(name(30)).isEqualTo("thirty");
  }

  @Test
  void aConnectionLeasedWhileOffCountsNeitherAsStartedNorAsEnded() throws Exception {
    java.util.concurrent.atomic.AtomicInteger started =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger ended =
        new java.util.concurrent.atomic.AtomicInteger();
    ds.unwrap(dev.optimizer.db.internal.InstrumentedDataSource.class)
        .instrumentation()
        .leaseListener(
            new dev.optimizer.db.internal.LeaseListener() {
              @Override
              public void leaseStarted() {
                started.incrementAndGet();
              }

              @Override
              public void leaseCompleted(long nanos) {
                ended.incrementAndGet();
              }

              @Override
              public void leaseFailed(long nanos) {}
            });
    try {
      optimizer.setMode(Mode.OFF);
      try {
        update("UPDATE rc_item SET name = name WHERE id = 31"); // wrapped for the cache's sake
      } finally {
        optimizer.setMode(Mode.RECOMMEND);
      }
      // Otherwise the pool's demand would count one lease fewer in use per such connection.
      assertThat(ended).hasValue(started.get());
      assertThat(started).hasValue(0);
      name(31); // a measured lease: counted at both ends
      assertThat(started).hasValue(1);
      assertThat(ended).hasValue(1);
    } finally {
      ds.unwrap(dev.optimizer.db.internal.InstrumentedDataSource.class)
          .instrumentation()
          .leaseListener(null);
    }
  }

  @Test
  void aResultLivesNoLongerThanItsTimeToLive() throws Exception {
    dev.optimizer.testing.ManualTime time = dev.optimizer.testing.ManualTime.create();
    try (Optimizer manual =
        Optimizer.builder()
            .manualTuning()
            .mode(Mode.OBSERVE)
            .ticker(time.ticker())
            .clock(time.clock())
            .build()) {
      DbOptimizer timed =
          DbOptimizer.builder(manual)
              .poolSizing(false)
              .resultCache(
                  ResultCacheSettings.builder()
                      .cacheTables("rc_item")
                      .timeToLive(java.time.Duration.ofSeconds(30))
                      .build())
              .build();
      DataSource source = timed.wrap(hikari);
      String sql = "SELECT name FROM rc_item WHERE id = 40";
      rows(source, sql);
      // A writer the cache cannot see (straight to the pool): bounded by the TTL only.
      try (Connection c = hikari.getConnection();
          Statement s = c.createStatement()) {
        s.executeUpdate("UPDATE rc_item SET name = 'forty' WHERE id = 40");
      }
      time.advance(java.time.Duration.ofSeconds(29));
      assertThat(rows(source, sql).get(0).get(0)).isEqualTo("item 40");
      time.advance(java.time.Duration.ofSeconds(2));
      assertThat(rows(source, sql).get(0).get(0)).isEqualTo("forty");
      assertThat(timed.resultCacheStats().hits()).isEqualTo(1);
    }
  }

  @Test
  void sqlTextTransactionsAreFollowedToo() throws Exception {
    assertThat(name(9)).isEqualTo("item 9");
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("BEGIN");
      s.executeUpdate("UPDATE rc_item SET name = 'nine' WHERE id = 9");
      assertThat(name(9)).isEqualTo("item 9");
      s.execute("COMMIT");
    }
    assertThat(name(9)).isEqualTo("nine");
  }

  @Test
  void nonDeterministicAndLockingReadsAreNotCached() throws Exception {
    long stores = db.resultCacheStats().stores();
    one("SELECT count(*) FROM rc_item WHERE at < now()");
    one("SELECT id FROM rc_item WHERE id = 1 FOR UPDATE");
    one("SELECT count(*) FROM rc_item WHERE random() < 2");
    one("SHOW server_version_num");
    assertThat(db.resultCacheStats().stores()).isEqualTo(stores);
  }

  @Test
  void viewsAreNotCachedAndCascadesAndTriggersInvalidate() throws Exception {
    long stores = db.resultCacheStats().stores();
    one("SELECT count(*) FROM rc_item_view");
    assertThat(db.resultCacheStats().stores()).isEqualTo(stores);

    assertThat(one("SELECT count(*) FROM rc_child")).isEqualTo(2);
    update("DELETE FROM rc_item WHERE id = 1"); // cascades to rc_child
    assertThat(one("SELECT count(*) FROM rc_child")).isEqualTo(1);

    assertThat(one("SELECT n FROM rc_audit")).isZero();
    update("INSERT INTO rc_logged VALUES (1)"); // its trigger writes rc_audit
    assertThat(one("SELECT n FROM rc_audit")).isEqualTo(1);
  }

  @Test
  void anOversizedResultIsReadInFullButNotCached() throws Exception {
    long notStored = db.resultCacheStats().notStored();
    long total = 0;
    int rows = 0;
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id, name FROM rc_item ORDER BY id")) {
      while (rs.next()) {
        total += rs.getInt(1);
        rows++;
      }
    }
    assertThat(rows).isEqualTo(2000);
    assertThat(total).isEqualTo(2000L * 2001 / 2);
    assertThat(db.resultCacheStats().notStored()).isEqualTo(notStored + 1);
  }

  @Test
  void aStampedeLoadsOnce() throws Exception {
    int callers = 8;
    ResultCache cache = cache();
    long loadsBefore = cache.stores.sum() + cache.notStored.sum();
    long missesBefore = cache.results.stats().localMisses();
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try (Connection locker = hikari.getConnection();
        Statement ls = locker.createStatement()) {
      locker.setAutoCommit(false);
      ls.execute("LOCK TABLE rc_item IN ACCESS EXCLUSIVE MODE"); // readers wait in the database
      List<Future<String>> names = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        names.add(pool.submit(() -> name(11)));
      }
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (cache.results.stats().localMisses() - missesBefore < callers
          && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      locker.rollback();
      for (Future<String> f : names) {
        assertThat(f.get()).isEqualTo("item 11");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(cache.stores.sum() + cache.notStored.sum() - loadsBefore).isEqualTo(1);
  }

  @Test
  void temporaryTablesAreNeverCached() throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TEMP TABLE rc_tmp (x int)");
      s.execute("INSERT INTO rc_tmp VALUES (1)");
      long stores = db.resultCacheStats().stores();
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM rc_tmp")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(1);
      }
      assertThat(db.resultCacheStats().stores()).isEqualTo(stores);
      s.execute("DROP TABLE rc_tmp");
    }
  }
}
