package dev.optimizer.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Mode;
import dev.optimizer.db.cache.ResultCacheSettings;
import dev.optimizer.runtime.Optimizer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.metrics.data.MetricData;
import java.lang.ref.WeakReference;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A wrapper the application closes before the optimizer (tests, pools refreshed or made per tenant)
 * leaves nothing behind: not in the optimizer (its registration, its pool-size knob), not in the
 * DbOptimizer (write loops, cache candidates, result caches, N+1 findings), not in the telemetry;
 * so neither it nor its pool stays reachable. A wrapper left open still closes with the optimizer.
 */
class WrapperCloseTest {
  private static final AttributeKey<String> POOL_NAME =
      AttributeKey.stringKey("db.client.connection.pool.name");

  private static HikariDataSource h2(String name) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl("jdbc:h2:mem:" + name);
    config.setPoolName(name);
    config.setMaximumPoolSize(4);
    return new HikariDataSource(config);
  }

  @Test
  void wrappersClosedOnTheirOwnLeaveNothingInTheOptimizerOrTheDbOptimizer() throws Exception {
    try (DbTestSupport support = new DbTestSupport(Mode.AUTO)) {
      Optimizer optimizer = support.optimizer;
      DbOptimizer db =
          DbOptimizer.builder(optimizer)
              .resultCache(ResultCacheSettings.builder().cacheAllReads().build())
              .build();
      List<WeakReference<Object>> closed = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        HikariDataSource pool = h2("closed-" + i);
        DataSource ds = db.wrap(pool);
        query(ds);
        assertThat(db.heldForWrappers().values()).containsOnly(1);
        assertThat(optimizer.knob("db.pool.closed-" + i + ".max_size")).isPresent();

        ((AutoCloseable) ds).close();
        ((AutoCloseable) ds).close(); // idempotent
        pool.close();
        closed.add(new WeakReference<>(ds));
        closed.add(new WeakReference<>(pool));
      }

      assertThat(db.heldForWrappers().values()).containsOnly(0);
      assertThat(optimizer.knobs()).isEmpty();
      assertThat(optimizer.tuningStates()).isEmpty();
      assertThat(poolsReported(support)).isEmpty();
      assertThat(stillReachable(closed))
          .as("closed wrappers or their pools still reachable")
          .isZero();

      HikariDataSource openPool = h2("open");
      try {
        DataSource open = db.wrap(openPool);
        query(open);
        assertThat(db.heldForWrappers())
            .isEqualTo(
                Map.of(
                    "batchAdvisors", 1,
                    "nPlusOneSources", 1,
                    "cacheCandidates", 1,
                    "resultCaches", 1));
        assertThat(poolsReported(support)).containsOnly("open");

        optimizer.close(); // closes the wrapper left open, which leaves too
        assertThat(db.heldForWrappers().values()).containsOnly(0);
        assertThat(optimizer.knobs()).isEmpty();
        assertThat(poolsReported(support)).isEmpty();
      } finally {
        openPool.close();
      }
    }
  }

  @Test
  void wrappersClosingWhileTheOptimizerClosesAreClosedOnceAndLeaveNothing() throws Exception {
    org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
    h2.setURL("jdbc:h2:mem:racing;DB_CLOSE_DELAY=-1");
    for (int round = 0; round < 20; round++) {
      Optimizer optimizer =
          Optimizer.builder()
              .openTelemetry(io.opentelemetry.api.OpenTelemetry.noop())
              .manualTuning()
              .build();
      DbOptimizer db = DbOptimizer.create(optimizer);
      List<AutoCloseable> wrappers = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        wrappers.add((AutoCloseable) db.wrap(h2));
      }
      java.util.concurrent.CyclicBarrier start =
          new java.util.concurrent.CyclicBarrier(wrappers.size() + 1);
      List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (AutoCloseable w : wrappers) {
        Thread t =
            new Thread(
                () -> {
                  try {
                    start.await();
                    w.close();
                  } catch (Throwable e) {
                    failures.add(e);
                  }
                });
        t.start();
        threads.add(t);
      }
      start.await();
      optimizer.close();
      for (Thread t : threads) {
        t.join();
      }
      assertThat(failures).isEmpty();
      assertThat(db.heldForWrappers().values()).containsOnly(0);
    }
  }

  private static void query(DataSource ds) throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT 1")) {
      assertThat(rs.next()).isTrue();
    }
  }

  /** The pools the connection-count instrument still reports. */
  private static List<String> poolsReported(DbTestSupport support) {
    return support.collect().stream()
        .filter(m -> m.getName().equals("db.client.connection.count"))
        .map(MetricData::getLongSumData)
        .flatMap(d -> d.getPoints().stream())
        .map(p -> p.getAttributes().get(POOL_NAME))
        .distinct()
        .toList();
  }

  /** How many of {@code refs} still reach their object after a bounded number of collections. */
  private static long stillReachable(List<? extends WeakReference<?>> refs) {
    for (int i = 0; i < 20 && refs.stream().anyMatch(r -> r.get() != null); i++) {
      System.gc();
    }
    return refs.stream().filter(r -> r.get() != null).count();
  }
}
