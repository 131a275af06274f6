package dev.optimizer.db.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Mode;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.cache.ResultCacheSettings;
import dev.optimizer.db.cache.ResultCacheStats;
import dev.optimizer.db.internal.InstrumentedDataSource;
import dev.optimizer.db.support.EmbeddedPostgres;
import dev.optimizer.runtime.Optimizer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Refresh-ahead on a real PostgreSQL: after the application writes a hot row, the next read is a
 * hit with the new row; a write racing a refresh never leads to a stale read; cold rows and a busy
 * pool are left alone. Refreshes are awaited through the refresher's hooks, never by sleeping.
 */
class RefreshAheadTest {
  private static final String READ = "SELECT name FROM ra_item WHERE id = ?";

  private HikariDataSource hikari;
  private Optimizer optimizer;
  private DataSource ds;
  private DbOptimizer db;
  private final BlockingQueue<RefreshAhead.Outcome> outcomes = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() throws Exception {
    open(6);
  }

  private void open(int poolSize) throws Exception {
    hikari = EmbeddedPostgres.hikari("refresh-ahead", poolSize);
    try (Connection c = hikari.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS ra_item");
      s.execute("CREATE TABLE ra_item (id int PRIMARY KEY, name text)");
      s.execute("INSERT INTO ra_item SELECT g, 'v0' FROM generate_series(1, 10) g");
    }
    optimizer = Optimizer.builder().manualTuning().mode(Mode.RECOMMEND).build();
    db =
        DbOptimizer.builder(optimizer)
            .poolSizing(false)
            .resultCache(
                ResultCacheSettings.builder()
                    .cacheTables("ra_item")
                    .refreshAhead(true)
                    .refreshMinHits(3)
                    .build())
            .build();
    ds = db.wrap(hikari);
    // The describe-ahead's connection is back in the pool before a test counts idle ones.
    ds.unwrap(InstrumentedDataSource.class)
        .instrumentation()
        .resultCache()
        .describedAhead()
        .get(30, TimeUnit.SECONDS);
    hooks(new RefreshAhead.Hooks() {});
    // HikariCP opens connections lazily: hold several at once so that, while the test's writer
    // and a refresh hold one each, another is idle for a second refresh (as in a warm service).
    java.util.List<Connection> held = new java.util.ArrayList<>();
    for (int i = 0; i < Math.min(3, poolSize); i++) {
      held.add(hikari.getConnection());
    }
    for (Connection c : held) {
      c.close();
    }
  }

  @AfterEach
  void stop() {
    optimizer.close();
    hikari.close();
  }

  /** Installs hooks that also report each refresh's outcome to {@link #outcomes}. */
  private void hooks(RefreshAhead.Hooks inner) throws SQLException {
    refresher()
        .hooks(
            new RefreshAhead.Hooks() {
              @Override
              public void beforeQuery(CacheKey key) {
                inner.beforeQuery(key);
              }

              @Override
              public void afterQuery(CacheKey key) {
                inner.afterQuery(key);
              }

              @Override
              public void finished(CacheKey key, RefreshAhead.Outcome outcome) {
                outcomes.add(outcome);
              }
            });
  }

  private RefreshAhead refresher() throws SQLException {
    RefreshAhead r =
        ds.unwrap(InstrumentedDataSource.class).instrumentation().resultCache().refresher;
    assertThat(r).as("refresh-ahead is on by default for a HikariCP pool").isNotNull();
    return r;
  }

  private RefreshAhead.Outcome nextOutcome() throws InterruptedException {
    RefreshAhead.Outcome o = outcomes.poll(30, TimeUnit.SECONDS);
    assertThat(o).as("a refresh ended").isNotNull();
    return o;
  }

  private String read(int id) throws SQLException {
    try (Connection c = ds.getConnection()) {
      return read(c, id);
    }
  }

  private static String read(Connection c, int id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(READ)) {
      ps.setInt(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : "<none>";
      }
    }
  }

  /** The row as the database has it, read past the cache. */
  private String truth(int id) throws SQLException {
    try (Connection c = hikari.getConnection()) {
      return read(c, id);
    }
  }

  private void write(int id, String name) throws SQLException {
    try (Connection c = ds.getConnection()) {
      write(c, id, name);
    }
  }

  private static void write(Connection c, int id, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE ra_item SET name = ? WHERE id = ?")) {
      ps.setString(1, name);
      ps.setInt(2, id);
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
  }

  /** Stores the row's read and hits it {@code hits} times. */
  private void warm(int id, int hits) throws SQLException {
    read(id);
    long before = db.resultCacheStats().hits();
    for (int i = 0; i < hits; i++) {
      read(id);
    }
    assertThat(db.resultCacheStats().hits()).isEqualTo(before + hits);
  }

  @Test
  void theNextReadAfterAWriteToAHotRowIsAHitWithTheNewRow() throws Exception {
    warm(1, 3);
    write(1, "v1");
    assertThat(nextOutcome()).isEqualTo(RefreshAhead.Outcome.STORED);

    ResultCacheStats before = db.resultCacheStats();
    assertThat(read(1)).isEqualTo("v1").isEqualTo(truth(1));
    ResultCacheStats after = db.resultCacheStats();
    assertThat(after.hits()).isEqualTo(before.hits() + 1);
    assertThat(after.misses()).isEqualTo(before.misses());
    assertThat(after.refreshes()).isEqualTo(1);
    assertThat(after.refreshFailures()).isZero();
  }

  @Test
  void aTransactionalWriteRefreshesAtCommitNotBefore() throws Exception {
    warm(2, 4);
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      write(c, 2, "v2");
      // Queued by the commit's invalidation only; before it nothing was handed to the threads.
      assertThat(refresher().queued.sum()).isZero();
      c.commit();
      c.setAutoCommit(true);
    }
    assertThat(nextOutcome()).isEqualTo(RefreshAhead.Outcome.STORED);
    long hits = db.resultCacheStats().hits();
    assertThat(read(2)).isEqualTo("v2").isEqualTo(truth(2));
    assertThat(db.resultCacheStats().hits()).isEqualTo(hits + 1);
  }

  @Test
  void aRolledBackWriteQueuesNoRefresh() throws Exception {
    warm(2, 4);
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      write(c, 2, "never");
      c.rollback();
      c.setAutoCommit(true);
    }
    assertThat(refresher().queued.sum()).isZero();
    assertThat(read(2)).isEqualTo("v0");
  }

  @Test
  void aColdRowIsNotRefreshed() throws Exception {
    warm(3, 2); // below refreshMinHits = 3
    write(3, "v3");
    // The decision is made on the writing thread, inside the write: nothing was queued.
    assertThat(refresher().queued.sum()).isZero();
    long misses = db.resultCacheStats().misses();
    assertThat(read(3)).isEqualTo("v3");
    assertThat(db.resultCacheStats().misses()).isEqualTo(misses + 1);
    assertThat(db.resultCacheStats().refreshes()).isZero();
  }

  @Test
  void aWriteThatCommitsWhileARefreshReadsIsNeverServedStale() throws Exception {
    warm(4, 3);
    CountDownLatch firstRead = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    CountDownLatch secondStarted = new CountDownLatch(1);
    CountDownLatch releaseSecond = new CountDownLatch(1);
    AtomicInteger started = new AtomicInteger();
    hooks(
        new RefreshAhead.Hooks() {
          private final ThreadLocal<Integer> which = new ThreadLocal<>();

          @Override
          public void beforeQuery(CacheKey key) {
            int n = started.incrementAndGet();
            which.set(n);
            if (n == 2) {
              secondStarted.countDown();
              await(releaseSecond);
            }
          }

          @Override
          public void afterQuery(CacheKey key) {
            if (which.get() == 1) {
              firstRead.countDown(); // it has read "a"; "b" is about to commit
              await(releaseFirst);
            }
          }
        });

    write(4, "a");
    assertThat(firstRead.await(30, TimeUnit.SECONDS))
        .as("first refresh read (outcomes so far %s, started %s)", outcomes, started)
        .isTrue();
    write(4, "b"); // commits while the first refresh holds rows with "a"; queues a second one
    assertThat(secondStarted.await(30, TimeUnit.SECONDS)).isTrue();
    releaseFirst.countDown();
    assertThat(nextOutcome())
        .as("the first refresh's rows predate a committed write: not stored")
        .isEqualTo(RefreshAhead.Outcome.DROPPED);
    assertThat(read(4)).isEqualTo("b").isEqualTo(truth(4));

    releaseSecond.countDown();
    assertThat(nextOutcome())
        .as("the read above already reloaded the row: the second refresh stores nothing")
        .isEqualTo(RefreshAhead.Outcome.DROPPED);
    assertThat(db.resultCacheStats().refreshes()).isZero();
    long hits = db.resultCacheStats().hits();
    assertThat(read(4)).isEqualTo("b").isEqualTo(truth(4));
    assertThat(db.resultCacheStats().hits()).isEqualTo(hits + 1);
  }

  @Test
  void aPoolWithNoIdleConnectionIsNotUsed() throws Exception {
    stop();
    open(2);
    warm(5, 3);
    try (Connection writer = ds.getConnection();
        Connection other = ds.getConnection()) {
      assertThat(hikari.getHikariPoolMXBean().getIdleConnections()).isZero();
      write(writer, 5, "v5");
      assertThat(nextOutcome()).isEqualTo(RefreshAhead.Outcome.DROPPED);
      assertThat(hikari.getHikariPoolMXBean().getActiveConnections()).isEqualTo(2);
    }
    ResultCacheStats stats = db.resultCacheStats();
    assertThat(stats.refreshes()).isZero();
    assertThat(stats.refreshesDropped()).isEqualTo(1);
    assertThat(read(5)).isEqualTo("v5");
  }

  @Test
  void offMeansNoRefresher() throws Exception {
    try (Optimizer o = Optimizer.builder().manualTuning().mode(Mode.RECOMMEND).build()) {
      DataSource off =
          DbOptimizer.builder(o)
              .poolSizing(false)
              .resultCache(
                  ResultCacheSettings.builder().cacheTables("ra_item").refreshAhead(false).build())
              .build()
              .wrap(hikari);
      assertThat(off.unwrap(InstrumentedDataSource.class).instrumentation().resultCache().refresher)
          .isNull();
    }
  }

  @Test
  void closeStopsTheRefreshThreads() throws Exception {
    warm(6, 3);
    write(6, "v6");
    assertThat(nextOutcome()).isEqualTo(RefreshAhead.Outcome.STORED);
    optimizer.close();
    assertThat(
            Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("optimizer-db-refresh-refresh-ahead"))
                .filter(Thread::isAlive))
        .isEmpty();
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("test hook timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
