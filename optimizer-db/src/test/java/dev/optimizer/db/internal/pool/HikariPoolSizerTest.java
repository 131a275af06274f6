package dev.optimizer.db.internal.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Knob;
import dev.optimizer.api.Mode;
import dev.optimizer.db.support.EmbeddedMariaDb;
import dev.optimizer.db.support.EmbeddedPostgres;
import dev.optimizer.runtime.Optimizer;
import io.opentelemetry.api.OpenTelemetry;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class HikariPoolSizerTest {

  private static Optimizer optimizer() {
    return Optimizer.builder()
        .openTelemetry(OpenTelemetry.noop())
        .manualTuning()
        .mode(Mode.AUTO)
        .build();
  }

  private static HikariDataSource h2(String name, int max) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1");
    c.setPoolName(name);
    c.setMaximumPoolSize(max);
    return new HikariDataSource(c);
  }

  /**
   * Whatever sequence of moves the tuner makes and whatever load runs meanwhile, the pool's maximum
   * stays within [minSize, budget], minimum idle never exceeds it, and once surplus connections are
   * returned the pool holds no more than its maximum.
   */
  @Property(tries = 25)
  void thePoolNeverExceedsItsBudget(
      @ForAll long seed,
      @ForAll @IntRange(min = 2, max = 30) int budget,
      @ForAll @IntRange(min = 1, max = 30) int initial)
      throws Exception {
    SplittableRandom r = new SplittableRandom(seed);
    String name = "prop" + Long.toHexString(seed) + budget + initial;
    try (Optimizer optimizer = optimizer();
        HikariDataSource pool = h2(name, initial)) {
      HikariPoolSizer sizer =
          HikariPoolSizer.start(optimizer, pool, "h2database", 2, budget, Duration.ofSeconds(1));
      int low = sizer.knob().min();
      int high = sizer.knob().max();
      assertThat(high).isEqualTo(budget);
      assertThat(pool.getMaximumPoolSize()).isLessThanOrEqualTo(budget);
      List<Connection> held = new ArrayList<>();
      for (int step = 0; step < 20; step++) {
        int target = r.nextInt(low - 1, high + 3); // also tries values out of range
        try {
          sizer.knob().set(target);
        } catch (IllegalArgumentException outOfRange) {
          assertThat(target < low || target > high).isTrue();
        }
        // random load: take or give back some connections
        int take = r.nextInt(0, 4);
        for (int i = 0; i < take && held.size() < pool.getMaximumPoolSize(); i++) {
          held.add(pool.getConnection());
        }
        while (!held.isEmpty() && r.nextBoolean()) {
          Connection c = held.remove(held.size() - 1);
          c.close();
          sizer.returned(c);
        }
        assertThat(pool.getMaximumPoolSize()).isBetween(low, high);
        assertThat(pool.getMinimumIdle()).isLessThanOrEqualTo(pool.getMaximumPoolSize());
      }
      for (Connection c : held) {
        c.close();
        sizer.returned(c);
      }
      // Every connection came back. Surplus connections are retired as they are used and
      // returned (Hikari may still be adding one asynchronously), so cycle a few through.
      assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero();
      int bound = Math.max(pool.getMaximumPoolSize(), pool.getMinimumIdle());
      for (int i = 0; i < 200 && pool.getHikariPoolMXBean().getTotalConnections() > bound; i++) {
        Connection c = pool.getConnection();
        c.close();
        sizer.returned(c);
      }
      assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isLessThanOrEqualTo(bound);
    }
  }

  @Test
  void aPoolConfiguredAboveTheBudgetIsShrunkToIt() throws Exception {
    try (Optimizer optimizer = optimizer();
        HikariDataSource pool = h2("overbudget", 50)) {
      dev.optimizer.db.DbOptimizer.builder(optimizer).poolBudget(20).build().wrap(pool);
      @SuppressWarnings("unchecked")
      Knob<Integer> knob =
          (Knob<Integer>) optimizer.knob("db.pool.overbudget.max_size").orElseThrow();
      assertThat(knob.max()).isEqualTo(20);
      assertThat(knob.value()).isEqualTo(20);
      assertThat(pool.getMaximumPoolSize()).isEqualTo(20);
      assertThatThrownBy(() -> knob.set(30)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void closingTheWrapperStopsSizingAndThePoolCanBeWrappedAgain() throws Exception {
    String knob = "db.pool.rewrap.max_size";
    try (Optimizer optimizer = optimizer();
        HikariDataSource pool = h2("rewrap", 10)) {
      javax.sql.DataSource first = dev.optimizer.db.DbOptimizer.create(optimizer).wrap(pool);
      assertThat(optimizer.knob(knob)).isPresent();
      assertThat(optimizer.tuningStates()).extracting(s -> s.knob()).contains(knob);

      ((AutoCloseable) first).close();
      assertThat(optimizer.knob(knob)).isEmpty();
      assertThat(optimizer.tuningStates()).extracting(s -> s.knob()).doesNotContain(knob);
      assertThat(pool.isClosed()).isFalse(); // not the wrapper's to close

      javax.sql.DataSource second = dev.optimizer.db.DbOptimizer.create(optimizer).wrap(pool);
      assertThat(optimizer.knob(knob)).isPresent();
      try (Connection c = second.getConnection()) {
        assertThat(c.isValid(1)).isTrue();
      }
      ((AutoCloseable) first).close(); // again: idempotent, and not the second wrapper's knob
      assertThat(optimizer.knob(knob)).isPresent();
    }
  }

  @Test
  void wrappingAPoolThatIsAlreadySizedFailsWithoutLeavingAnythingRunning() throws Exception {
    try (Optimizer optimizer = optimizer();
        HikariDataSource pool = h2("twice", 10)) {
      dev.optimizer.db.DbOptimizer db = dev.optimizer.db.DbOptimizer.create(optimizer);
      db.wrap(pool);
      long recorders = recorderThreads("twice");
      assertThatThrownBy(() -> db.wrap(pool)).isInstanceOf(IllegalArgumentException.class);
      assertThat(recorderThreads("twice")).isEqualTo(recorders);
    }
  }

  @Test
  void aWrapThatFailsAfterTheRecorderStartedLeavesNoThreadBehind() throws Exception {
    org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
    h2.setURL("jdbc:h2:mem:closedopt;DB_CLOSE_DELAY=-1");
    java.util.Set<Thread> before = recorderThreadSet("JdbcDataSource");
    Optimizer optimizer = optimizer();
    dev.optimizer.db.DbOptimizer db =
        dev.optimizer.db.DbOptimizer.builder(optimizer).poolSizing(false).build();
    optimizer.close(); // e.g. a lazily created DataSource bean wrapped during shutdown
    assertThatThrownBy(() -> db.wrap(h2)).isInstanceOf(IllegalStateException.class);
    java.util.Set<Thread> started = recorderThreadSet("JdbcDataSource");
    started.removeAll(before);
    for (Thread t : started) {
      t.join(5_000); // a stopped recorder ends at once; a leaked one never does
    }
    started.removeIf(t -> !t.isAlive());
    assertThat(started).isEmpty();
  }

  private static long recorderThreads(String pool) {
    return recorderThreadSet(pool).size();
  }

  private static java.util.Set<Thread> recorderThreadSet(String pool) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("optimizer-db-records-" + pool))
        .collect(java.util.stream.Collectors.toCollection(java.util.HashSet::new));
  }

  @Test
  void aFixedSizePoolStaysFixedSizeWhenResized() throws Exception {
    try (Optimizer optimizer = optimizer();
        HikariDataSource pool = h2("fixed", 10)) {
      HikariPoolSizer sizer =
          HikariPoolSizer.start(optimizer, pool, "h2database", 2, 40, Duration.ofSeconds(1));
      sizer.knob().set(20);
      assertThat(pool.getMaximumPoolSize()).isEqualTo(20);
      assertThat(pool.getMinimumIdle()).isEqualTo(20);
      sizer.knob().set(5);
      assertThat(pool.getMaximumPoolSize()).isEqualTo(5);
      assertThat(pool.getMinimumIdle()).isEqualTo(5);
    }
  }

  @Test
  void theServersFreeConnectionsCapThePool() throws Exception {
    // The embedded server allows 300 connections, 3 reserved for superusers. Others hold 250.
    HikariConfig capped = new HikariConfig();
    capped.setJdbcUrl(EmbeddedPostgres.jdbcUrl());
    capped.setUsername("postgres");
    capped.setPassword("postgres");
    capped.setPoolName("capped");
    capped.setMaximumPoolSize(60); // more than the server will have left for it
    capped.setMinimumIdle(2);
    try (Optimizer optimizer = optimizer();
        HikariDataSource others = EmbeddedPostgres.hikari("others", 250);
        HikariDataSource pool = new HikariDataSource(capped)) {
      others.setMinimumIdle(250);
      try (Connection c = others.getConnection()) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (others.getHikariPoolMXBean().getTotalConnections() < 250
            && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
      }
      HikariPoolSizer sizer =
          HikariPoolSizer.start(optimizer, pool, "postgresql", 2, 100, Duration.ofSeconds(1));
      try (Connection c = pool.getConnection()) {
        // starts the pool
      }
      assertThatThrownBy(() -> sizer.knob().set(80))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("the server accepts only");
      assertThat(pool.getMaximumPoolSize()).isEqualTo(60);
      // A shrink is always allowed, even to a size the server could not grant afresh.
      sizer.knob().set(50);
      assertThat(pool.getMaximumPoolSize()).isEqualTo(50);
      sizer.knob().set(20); // within what the server still accepts
      assertThat(pool.getMaximumPoolSize()).isEqualTo(20);
      sizer.knob().set(40); // growing again, within the 47 left
      assertThat(pool.getMaximumPoolSize()).isEqualTo(40);
    }
  }

  @Test
  void aPoolConfiguredWithADataSourceClassIsCappedByTheServerToo() throws Exception {
    // No jdbcUrl: Hikari makes its connections from PGSimpleDataSource and these properties. The
    // server allows 300 connections, 3 reserved for superusers: 298 is never granted.
    HikariConfig byClass = new HikariConfig();
    byClass.setDataSourceClassName("org.postgresql.ds.PGSimpleDataSource");
    byClass.addDataSourceProperty("serverName", "localhost");
    byClass.addDataSourceProperty("portNumber", EmbeddedPostgres.server().getPort());
    byClass.addDataSourceProperty("databaseName", "postgres");
    byClass.setUsername("postgres");
    byClass.setPassword("postgres");
    byClass.setPoolName("by-class");
    byClass.setMaximumPoolSize(10);
    byClass.setMinimumIdle(2);
    try (Optimizer optimizer = optimizer();
        HikariDataSource pool = new HikariDataSource(byClass)) {
      HikariPoolSizer sizer =
          HikariPoolSizer.start(optimizer, pool, "postgresql", 2, 400, Duration.ofSeconds(1));
      try (Connection c = pool.getConnection()) {
        // the pool has started
      }
      assertThatThrownBy(() -> sizer.knob().set(298))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("the server accepts only");
      assertThat(pool.getMaximumPoolSize()).isEqualTo(10);
      sizer.knob().set(12); // within what the server accepts
      assertThat(pool.getMaximumPoolSize()).isEqualTo(12);
    }
  }

  @Test
  void connectionsOfOtherRolesCountForAnUnprivilegedRole() throws Exception {
    // An ordinary role sees other roles' sessions with a NULL backend_type; they still hold slots.
    try (Connection admin =
            java.sql.DriverManager.getConnection(EmbeddedPostgres.jdbcUrl(), "postgres", "");
        java.sql.Statement s = admin.createStatement()) {
      for (String role : List.of("sizer_app", "sizer_other")) {
        s.execute(
            "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '"
                + role
                + "') THEN CREATE ROLE "
                + role
                + " LOGIN PASSWORD 'pw'; END IF; END$$");
      }
    }
    String url = "jdbc:postgresql://localhost:" + EmbeddedPostgres.server().getPort() + "/postgres";
    HikariConfig othersConfig = new HikariConfig();
    othersConfig.setJdbcUrl(url);
    othersConfig.setUsername("sizer_other");
    othersConfig.setPassword("pw");
    othersConfig.setPoolName("other-role");
    othersConfig.setMaximumPoolSize(250);
    othersConfig.setMinimumIdle(250);
    HikariConfig capped = new HikariConfig();
    capped.setJdbcUrl(url);
    capped.setUsername("sizer_app");
    capped.setPassword("pw");
    capped.setPoolName("app-role");
    capped.setMaximumPoolSize(10);
    capped.setMinimumIdle(2);
    try (Optimizer optimizer = optimizer();
        HikariDataSource others = new HikariDataSource(othersConfig);
        HikariDataSource pool = new HikariDataSource(capped)) {
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (others.getHikariPoolMXBean().getTotalConnections() < 250
          && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      HikariPoolSizer sizer =
          HikariPoolSizer.start(optimizer, pool, "postgresql", 2, 100, Duration.ofSeconds(1));
      try (Connection c = pool.getConnection()) {
        // starts the pool
      }
      assertThatThrownBy(() -> sizer.knob().set(80))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("the server accepts only");
      assertThat(pool.getMaximumPoolSize()).isEqualTo(10);
    }
  }

  @Test
  void aLeaseThatBeganBeforeAResizeCountsButItsLatencyIsLeftOut() throws Exception {
    dev.optimizer.testing.ManualTime time = dev.optimizer.testing.ManualTime.create();
    try (Optimizer optimizer =
            Optimizer.builder()
                .openTelemetry(OpenTelemetry.noop())
                .clock(time.clock())
                .ticker(time.ticker())
                .manualTuning()
                .mode(Mode.AUTO)
                .build();
        HikariDataSource pool = h2("straddling", 4)) {
      HikariPoolSizer sizer =
          HikariPoolSizer.start(optimizer, pool, "h2database", 2, 40, Duration.ofSeconds(1));
      time.advance(Duration.ofSeconds(10));
      dev.optimizer.api.Signal.Cursor window = sizer.signal().open();
      sizer.leaseCompleted(Duration.ofSeconds(3).toNanos()); // before any resize: measured
      sizer.knob().set(8);
      time.advance(Duration.ofMillis(500));
      // Asked for 2 s ago, under the old size of 4: its wait says nothing about 8.
      sizer.leaseCompleted(Duration.ofSeconds(2).toNanos());
      sizer.leaseFailed(Duration.ofSeconds(1).toNanos());
      // Asked for 100 ms ago, after the resize: measured.
      sizer.leaseCompleted(Duration.ofMillis(100).toNanos());
      time.advance(Duration.ofMillis(500));

      dev.optimizer.api.Window w = window.read();
      assertThat(w.operations()).isEqualTo(4);
      assertThat(w.errors()).isEqualTo(1);
      assertThat(w.latencyNanos().count()).isEqualTo(2);
      assertThat(w.latencyPercentileNanos(100)).isLessThan(Duration.ofSeconds(4).toNanos());
      assertThat(w.latencyPercentileNanos(0)).isLessThan(Duration.ofMillis(200).toNanos());
    }
  }

  @Test
  void anElasticPoolStaysElasticAfterAShrinkBelowItsMinimumIdle() throws Exception {
    try (Optimizer optimizer = optimizer();
        HikariDataSource pool = h2("elastic", 20)) {
      pool.setMinimumIdle(5);
      HikariPoolSizer sizer =
          HikariPoolSizer.start(optimizer, pool, "h2database", 2, 40, Duration.ofSeconds(1));
      sizer.knob().set(4);
      assertThat(pool.getMinimumIdle()).isEqualTo(4);
      sizer.knob().set(30);
      assertThat(pool.getMaximumPoolSize()).isEqualTo(30);
      assertThat(pool.getMinimumIdle()).as("the configured minimum idle, not 30").isEqualTo(5);
    }
  }

  @Test
  void aPoolThatHasNotStartedYetIsSizedFromHikarisDefault() throws Exception {
    HikariDataSource pool = new HikariDataSource(); // starts on its first getConnection()
    pool.setJdbcUrl("jdbc:h2:mem:lazy;DB_CLOSE_DELAY=-1");
    pool.setPoolName("lazy");
    try (Optimizer optimizer = optimizer();
        pool) {
      HikariPoolSizer sizer =
          HikariPoolSizer.start(optimizer, pool, "h2database", 2, 100, Duration.ofSeconds(1));
      assertThat(sizer.knob().value()).isEqualTo(10);
      assertThat(sizer.knob().min()).isEqualTo(2);
      sizer.knob().set(4);
      try (Connection c = pool.getConnection()) {
        assertThat(pool.getMaximumPoolSize()).isEqualTo(4);
      }
    }
    // The controller's opening scan from a size below 1 would never have ended.
    assertThat(
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                Duration.ofSeconds(5), () -> PoolSizeController.scan(-1, 0.25, 1, 100)))
        .isNotEmpty();
  }

  @Test
  void mariaDbsMaxConnectionsCapsThePool() throws Exception {
    // The embedded MariaDB allows 60 connections; others hold 45 of them.
    int held = EmbeddedMariaDb.MAX_CONNECTIONS - 15;
    try (Optimizer optimizer = optimizer();
        HikariDataSource others = EmbeddedMariaDb.hikari("maria-others", held);
        HikariDataSource pool = EmbeddedMariaDb.hikari("maria-capped", 4)) {
      others.setMinimumIdle(held);
      try (Connection c = others.getConnection()) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (others.getHikariPoolMXBean().getTotalConnections() < held
            && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
      }
      HikariPoolSizer sizer =
          HikariPoolSizer.start(optimizer, pool, "mariadb", 2, 100, Duration.ofSeconds(1));
      try (Connection c = pool.getConnection()) {
        // starts the pool
      }
      assertThatThrownBy(() -> sizer.knob().set(40))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("the server accepts only");
      assertThat(pool.getMaximumPoolSize()).isEqualTo(4);
      sizer.knob().set(12);
      assertThat(pool.getMaximumPoolSize()).isEqualTo(12);
    }
  }
}
