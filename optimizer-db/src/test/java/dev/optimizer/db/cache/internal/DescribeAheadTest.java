package dev.optimizer.db.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Mode;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.cache.ResultCacheSettings;
import dev.optimizer.db.internal.InstrumentedDataSource;
import dev.optimizer.db.support.EmbeddedPostgres;
import dev.optimizer.runtime.Optimizer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The tables a result cache is configured with are described (and the session reference taken)
 * ahead of the first query, off the request path, on a real PostgreSQL: what the application's own
 * connection is asked is recorded by a data source that wraps the pool's connections.
 */
class DescribeAheadTest {
  private static final String READ = "SELECT name FROM da_item WHERE id = ?";
  private static final String DESCRIBE_THREAD = "optimizer-db-describe-";

  private static HikariDataSource hikari;
  private Optimizer optimizer;

  /** The statement texts the wrapper's connections were asked to run, "thread: sql". */
  private final Queue<String> asked = new ConcurrentLinkedQueue<>();

  @BeforeAll
  static void start() throws Exception {
    hikari = EmbeddedPostgres.hikari("describe-ahead", 4);
    try (Connection c = hikari.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS da_item, da_category");
      s.execute("CREATE TABLE da_category (id int PRIMARY KEY, label text)");
      s.execute(
          "CREATE TABLE da_item (id int PRIMARY KEY, name text,"
              + " category int REFERENCES da_category(id))");
      s.execute("INSERT INTO da_category VALUES (1, 'one')");
      s.execute("INSERT INTO da_item SELECT g, 'item ' || g, 1 FROM generate_series(1, 10) g");
    }
  }

  @AfterAll
  static void stop() {
    hikari.close();
  }

  @AfterEach
  void close() {
    if (optimizer != null) {
      optimizer.close();
    }
  }

  private DataSource wrap(DataSource pool, Mode mode) {
    optimizer = Optimizer.builder().manualTuning().mode(mode).build();
    DbOptimizer db =
        DbOptimizer.builder(optimizer)
            .poolSizing(false)
            .resultCache(
                ResultCacheSettings.builder()
                    .cacheTables("da_item", "da_category", "da_not_there")
                    .build())
            .build();
    return db.wrap(pool);
  }

  private static ResultCache cache(DataSource ds) throws SQLException {
    return ds.unwrap(InstrumentedDataSource.class).instrumentation().resultCache();
  }

  private static String name(DataSource ds, int id) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(READ)) {
      ps.setInt(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : "<none>";
      }
    }
  }

  /** What this thread's connections were asked to run, in order. */
  private List<String> askedHere() {
    String prefix = Thread.currentThread().getName() + ": ";
    return asked.stream()
        .filter(s -> s.startsWith(prefix))
        .map(s -> s.substring(prefix.length()))
        .toList();
  }

  @Test
  void theFirstCachedQueryAsksTheDatabaseNothingButItself() throws Exception {
    DataSource ds = wrap(recording(hikari), Mode.RECOMMEND);
    cache(ds).describedAhead().get(30, TimeUnit.SECONDS);
    assertThat(cache(ds).catalog.knows("da_item")).isTrue();
    assertThat(cache(ds).catalog.knows("da_category")).isTrue();
    // Not there (yet): left to be described when first queried, as a migration may create it.
    assertThat(cache(ds).catalog.knows("da_not_there")).isFalse();
    // The describe-ahead's own connection did the asking.
    assertThat(asked).anyMatch(s -> s.startsWith(DESCRIBE_THREAD) && s.contains("pg_catalog"));

    assertThat(name(ds, 3)).isEqualTo("item 3");
    assertThat(name(ds, 3)).isEqualTo("item 3");

    // No catalog query and no session digest on the application's connection: only its query.
    assertThat(askedHere()).containsExactly(READ, READ);
    assertThat(cache(ds).stats().hits()).isEqualTo(1);
    assertThat(cache(ds).stats().stores()).isEqualTo(1);
  }

  @Test
  void aRequestMeetingATableBeingDescribedTakesThatAnswer() throws Exception {
    TableCatalog catalog = new TableCatalog();
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (Connection aheadConnection =
            blockingFirstPrepare(hikari.getConnection(), entered, release);
        Connection requestConnection = recording(hikari).getConnection()) {
      Thread ahead =
          new Thread(() -> catalog.describeAhead("da_item", aheadConnection), "test-ahead");
      ahead.start();
      assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue(); // in its first catalog query
      AtomicReference<TableCatalog.Table> got = new AtomicReference<>();
      Thread request =
          new Thread(
              () -> got.set(catalog.describe("da_item", requestConnection, false)), "test-request");
      request.start();
      // The request waits for the describe under way (a timed wait on its answer) ...
      while (request.getState() != Thread.State.TIMED_WAITING && request.isAlive()) {
        Thread.onSpinWait();
      }
      release.countDown();
      request.join(TimeUnit.SECONDS.toMillis(30));
      ahead.join(TimeUnit.SECONDS.toMillis(30));
      // ... and gets that very answer, without asking its own connection anything.
      assertThat(got.get()).isNotNull();
      assertThat(got.get().keyColumn()).isEqualTo("id");
      assertThat(got.get().readable()).isTrue();
      assertThat(got.get()).isSameAs(catalog.describe("da_item", requestConnection, false));
      assertThat(asked).noneMatch(s -> s.startsWith("test-request: "));
    }
  }

  @Test
  void aDescribeAheadThatFailsLeavesTheFirstQueryToDescribe() throws Exception {
    DataSource failing = failingOnTheDescribeThread(recording(hikari));
    DataSource ds = wrap(failing, Mode.RECOMMEND);
    cache(ds).describedAhead().get(30, TimeUnit.SECONDS);
    assertThat(cache(ds).catalog.knows("da_item")).isFalse();

    assertThat(name(ds, 4)).isEqualTo("item 4");
    assertThat(name(ds, 4)).isEqualTo("item 4");

    // Described on the request's connection, as without the describe-ahead, and cached.
    assertThat(askedHere()).anyMatch(s -> s.contains("pg_catalog"));
    assertThat(cache(ds).catalog.knows("da_item")).isTrue();
    assertThat(cache(ds).stats().hits()).isEqualTo(1);
  }

  @Test
  void closingTheWrapperStopsTheDescribeAhead() throws Exception {
    CountDownLatch waiting = new CountDownLatch(1);
    AtomicReference<Thread> describeThread = new AtomicReference<>();
    DataSource stuck = stuckOnTheDescribeThread(hikari, waiting, describeThread);
    DataSource ds = wrap(stuck, Mode.RECOMMEND);
    assertThat(waiting.await(30, TimeUnit.SECONDS)).isTrue(); // waiting for a connection
    ResultCache cache = cache(ds);

    ((AutoCloseable) ds).close();

    assertThat(cache.describedAhead()).isDone();
    assertThat(describeThread.get().isAlive()).isFalse();
    assertThat(cache.catalog.knows("da_item")).isFalse();
  }

  @Test
  void nothingIsDescribedAheadWhileTheModeIsOff() throws Exception {
    DataSource ds = wrap(recording(hikari), Mode.OFF);
    assertThat(cache(ds).describedAhead()).isDone();
    assertThat(asked).isEmpty();
  }

  // --- data sources and connections that record or misbehave ---

  /** The pool, with each connection's statement texts recorded in {@link #asked}. */
  private DataSource recording(DataSource pool) {
    return dataSource(pool, () -> recording(pool.getConnection()));
  }

  private Connection recording(Connection c) {
    return proxy(
        Connection.class,
        c,
        (m, args) -> {
          if (m.getName().startsWith("prepare") && args != null && args[0] instanceof String sql) {
            asked.add(Thread.currentThread().getName() + ": " + sql);
          }
          Object result = m.invoke(c, args);
          if (result instanceof Statement s && !(result instanceof PreparedStatement)) {
            return recording(s);
          }
          return result;
        });
  }

  private Statement recording(Statement s) {
    return proxy(
        Statement.class,
        s,
        (m, args) -> {
          if (m.getName().startsWith("execute") && args != null && args[0] instanceof String sql) {
            asked.add(Thread.currentThread().getName() + ": " + sql);
          }
          return m.invoke(s, args);
        });
  }

  /** A connection whose first prepareStatement waits for {@code release}. */
  private static Connection blockingFirstPrepare(
      Connection c, CountDownLatch entered, CountDownLatch release) {
    return proxy(
        Connection.class,
        c,
        (m, args) -> {
          if (m.getName().equals("prepareStatement") && entered.getCount() > 0) {
            entered.countDown();
            release.await();
          }
          return m.invoke(c, args);
        });
  }

  /** A data source that refuses connections to the describe-ahead's thread. */
  private static DataSource failingOnTheDescribeThread(DataSource pool) {
    return dataSource(
        pool,
        () -> {
          if (Thread.currentThread().getName().startsWith(DESCRIBE_THREAD)) {
            throw new SQLException("refused for the test");
          }
          return pool.getConnection();
        });
  }

  /**
   * A data source on which the describe-ahead's thread waits for a connection until it is
   * interrupted (as in HikariCP's wait for a connection).
   */
  private static DataSource stuckOnTheDescribeThread(
      DataSource pool, CountDownLatch waiting, AtomicReference<Thread> thread) {
    return dataSource(
        pool,
        () -> {
          if (Thread.currentThread().getName().startsWith(DESCRIBE_THREAD)) {
            thread.set(Thread.currentThread());
            waiting.countDown();
            try {
              new CountDownLatch(1).await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new SQLException("interrupted while waiting for a connection", e);
            }
          }
          return pool.getConnection();
        });
  }

  private interface ConnectionSource {
    Connection get() throws SQLException;
  }

  private interface Invocation {
    Object invoke(Method m, Object[] args) throws Throwable;
  }

  /**
   * A data source over {@code pool} whose getConnection() is {@code source}; the rest (unwrap
   * included, so that the wrapper still sees a HikariCP pool) is the pool's.
   */
  private static DataSource dataSource(DataSource pool, ConnectionSource source) {
    return proxy(
        DataSource.class,
        pool,
        (m, args) ->
            m.getName().equals("getConnection") && (args == null || args.length == 0)
                ? source.get()
                : m.invoke(pool, args));
  }

  private static <T> T proxy(Class<T> type, T target, Invocation invocation) {
    return type.cast(
        Proxy.newProxyInstance(
            DescribeAheadTest.class.getClassLoader(),
            new Class<?>[] {type},
            (p, m, args) -> {
              try {
                return invocation.invoke(m, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            }));
  }
}
