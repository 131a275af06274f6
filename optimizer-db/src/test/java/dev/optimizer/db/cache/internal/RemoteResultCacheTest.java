package dev.optimizer.db.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Mode;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.cache.RemoteCacheSettings;
import dev.optimizer.db.cache.ResultCacheSettings;
import dev.optimizer.db.cache.ResultCacheStats;
import dev.optimizer.db.support.EmbeddedPostgres;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.cache.redis.EmbeddedRedis;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Two application instances (two optimizers, two pools over one real PostgreSQL) sharing one real
 * Redis. Model-based: random sequences of reads and writes through either instance; every write
 * increments a counter, so the model's value per key only grows. Checked:
 *
 * <ul>
 *   <li>right after a write through one instance returned, a read through the other that is not
 *       answered by its in-process tier (so from Redis or the database) is never stale;
 *   <li>once the other instance has received the invalidation (a bounded wait on its counters),
 *       every read through it is fresh, whatever tier answers.
 * </ul>
 *
 * And with Redis stopped mid-test: queries still answer quickly, fall back to the in-process tier
 * and the database, and serve no stale rows.
 */
class RemoteResultCacheTest {
  private static final int KEYS = 4;
  private static final AtomicInteger prefixes = new AtomicInteger();
  private static final AtomicLong totalRemoteHits = new AtomicLong();
  private static HikariDataSource poolA;
  private static HikariDataSource poolB;
  private static EmbeddedRedis redis;

  record Op(boolean onA, boolean write, int key, boolean prepared, boolean inTransaction) {}

  @BeforeContainer
  static void start() throws Exception {
    redis = EmbeddedRedis.start();
    poolA = EmbeddedPostgres.hikari("remote-cache-a", 4);
    poolB = EmbeddedPostgres.hikari("remote-cache-b", 4);
    try (Connection c = poolA.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS rc_fleet");
      s.execute("CREATE TABLE rc_fleet (k int PRIMARY KEY, v bigint NOT NULL)");
    }
  }

  @AfterContainer
  static void stop() {
    poolA.close();
    poolB.close();
    redis.close();
    // The property is vacuous unless Redis actually answered reads.
    assertThat(totalRemoteHits.get()).isPositive();
  }

  /** One instance: its own optimizer, its own pool, the shared Redis under {@code prefix}. */
  record Node(Optimizer optimizer, DbOptimizer db, DataSource ds) implements AutoCloseable {
    static Node start(HikariDataSource pool, String prefix, Duration timeout) {
      Optimizer optimizer = Optimizer.builder().manualTuning().mode(Mode.OBSERVE).build();
      DbOptimizer db =
          DbOptimizer.builder(optimizer)
              .poolSizing(false)
              .resultCache(
                  ResultCacheSettings.builder()
                      .cacheTables("rc_fleet")
                      .remote(
                          RemoteCacheSettings.builder(redis.uri())
                              .keyPrefix(prefix)
                              .commandTimeout(timeout)
                              .build())
                      .build())
              .build();
      return new Node(optimizer, db, db.wrap(pool));
    }

    ResultCacheStats stats() {
      return db.resultCacheStats();
    }

    @Override
    public void close() {
      optimizer.close();
    }
  }

  @Provide
  Arbitrary<List<Op>> programs() {
    Arbitrary<Op> op =
        Combinators.combine(
                Arbitraries.of(true, false),
                Arbitraries.integers().between(0, 2).map(i -> i == 0),
                Arbitraries.integers().between(0, KEYS - 1),
                Arbitraries.of(true, false),
                Arbitraries.integers().between(0, 3).map(i -> i == 0))
            .as(Op::new);
    return op.list().ofMinSize(4).ofMaxSize(24);
  }

  @Property(tries = 12)
  void noInstanceServesAnotherInstancesCommittedWriteStale(@ForAll("programs") List<Op> program)
      throws Exception {
    resetTable();
    String prefix = "t" + prefixes.incrementAndGet() + ":";
    try (Node a = Node.start(poolA, prefix, Duration.ofSeconds(1));
        Node b = Node.start(poolB, prefix, Duration.ofSeconds(1))) {
      connected(a, b);
      long[] committed = new long[KEYS];
      List<String> violations = new ArrayList<>();
      for (Op op : program) {
        Node self = op.onA() ? a : b;
        Node other = op.onA() ? b : a;
        if (!op.write()) {
          long v = read(self, op.key());
          if (v < committed[op.key()]) {
            violations.add("read " + v + " after " + committed[op.key()] + " committed: " + op);
          }
          continue;
        }
        long heard = other.stats().invalidations();
        committed[op.key()] = write(self, op);
        // Right away: only the other instance's in-process tier may lag (pub/sub is on its way).
        ResultCacheStats before = other.stats();
        long v = read(other, op.key());
        ResultCacheStats after = other.stats();
        boolean localHit = after.hits() - before.hits() > after.remoteHits() - before.remoteHits();
        if (!localHit && v < committed[op.key()]) {
          violations.add("remote or database read " + v + " after " + committed[op.key()]);
        }
        await(() -> other.stats().invalidations() > heard, "the invalidation of " + op);
      }
      totalRemoteHits.addAndGet(a.stats().remoteHits() + b.stats().remoteHits());
      assertThat(violations).isEmpty();
    }
  }

  @Example
  void aResultLoadedByOneInstanceIsServedToTheOtherFromRedisUntilAWrite() throws Exception {
    resetTable();
    String prefix = "t" + prefixes.incrementAndGet() + ":";
    try (Node a = Node.start(poolA, prefix, Duration.ofSeconds(1));
        Node b = Node.start(poolB, prefix, Duration.ofSeconds(1))) {
      connected(a, b);
      // A late invalidation left in flight by connected() may make B refuse one remote entry (the
      // conservative answer, from the database): try the keys until one is served from Redis.
      int key = -1;
      for (int k = 0; k < KEYS && key < 0; k++) {
        long entries = redisEntries(prefix);
        assertThat(read(a, k)).isZero();
        // A stores its load without waiting for Redis's reply: wait (bounded) until it is there.
        await(() -> redisEntries(prefix) > entries, "A's load in Redis");
        long hits = b.stats().remoteHits();
        assertThat(read(b, k)).isZero();
        if (b.stats().remoteHits() == hits + 1) {
          key = k;
        }
      }
      assertThat(key).as("a load of A served to B from Redis").isNotNegative();
      long heard = b.stats().invalidations();
      long written = write(a, new Op(true, true, key, true, false));
      ResultCacheStats before = b.stats();
      long seen = read(b, key);
      ResultCacheStats after = b.stats();
      // Never the old row from Redis. Until A's pub/sub message arrives, B's in-process tier may
      // still answer with it (the documented guarantee); anything else must be the new row.
      assertThat(after.remoteHits()).isEqualTo(before.remoteHits());
      if (seen != written) {
        assertThat(after.hits() - before.hits()).as("a stale row only from B's own tier").isOne();
      }
      await(() -> b.stats().invalidations() > heard, "the invalidation");
      assertThat(read(b, key)).isEqualTo(written);
      totalRemoteHits.addAndGet(b.stats().remoteHits());
    }
  }

  @Example
  void redisStoppedMidTestQueriesStayFastAndFresh() throws Exception {
    resetTable();
    String prefix = "t" + prefixes.incrementAndGet() + ":";
    try (Node a = Node.start(poolA, prefix, Duration.ofMillis(50));
        Node b = Node.start(poolB, prefix, Duration.ofMillis(50))) {
      connected(a, b);
      assertThat(read(a, 0)).isZero();
      assertThat(read(b, 0)).isZero(); // from Redis, now also in B's in-process tier
      redis.stop();
      try {
        long written = timed(() -> write(a, new Op(true, true, 0, true, false)));
        assertThat(timed(() -> read(a, 0))).isEqualTo(written); // own write: never stale
        assertThat(timed(() -> read(a, 2))).isZero();
        assertThat(timed(() -> read(a, 2))).isZero();
        // B dropped its in-process entries when it lost the invalidation channel.
        await(() -> timedUnchecked(() -> read(b, 0)) == written, "B to drop its entries");
        assertThat(timed(() -> read(b, 0))).isEqualTo(written);
        assertThat(a.stats().remoteErrors() + b.stats().remoteErrors()).isPositive();
        long localHits = a.stats().hits();
        assertThat(timed(() -> read(a, 2))).isZero();
        assertThat(a.stats().hits()).isEqualTo(localHits + 1); // local-only, still caching
      } finally {
        redis.resume();
      }
      // Back: the instances reconnect and resubscribe; writes reach the other instance again.
      long[] last = new long[1];
      await(
          () -> {
            long heard = b.stats().invalidations();
            last[0] = timedUnchecked(() -> write(a, new Op(true, true, 0, true, false)));
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (System.nanoTime() < deadline) {
              if (b.stats().invalidations() > heard) {
                return true;
              }
              LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            return false;
          },
          "the instances to reconnect");
      assertThat(read(b, 0)).isEqualTo(last[0]);
      assertThat(read(a, 0)).isEqualTo(last[0]);
    }
  }

  @Example
  void aSlowRedisCostsAtMostTheCommandTimeoutAndNeverAStaleRead() throws Exception {
    resetTable();
    String prefix = "t" + prefixes.incrementAndGet() + ":";
    try (Node a = Node.start(poolA, prefix, Duration.ofMillis(50));
        Node b = Node.start(poolB, prefix, Duration.ofMillis(50))) {
      connected(a, b);
      assertThat(read(a, 0)).isZero();
      io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis.uri());
      try (var admin = client.connect()) {
        admin.sync().clientPause(1500); // Redis answers no client for 1.5 s: slow, not down
        try {
          long start = System.nanoTime();
          long written = write(a, new Op(true, true, 0, true, false));
          assertThat(read(a, 0)).isEqualTo(written); // its own write: never stale
          assertThat(read(a, 3)).isZero(); // a miss that asks Redis first
          long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
          // Each Redis command gives up after 50 ms; the pause would have cost 1.5 s.
          assertThat(millis).isLessThan(1_000);
          assertThat(a.stats().remoteErrors()).isPositive();
        } finally {
          admin.sync().ping(); // answered once the pause ends
        }
      } finally {
        client.shutdown();
      }
    }
  }

  // --- helpers ---

  interface SqlSupplier {
    long get() throws SQLException;
  }

  private static long timed(SqlSupplier s) throws SQLException {
    long start = System.nanoTime();
    long v = s.get();
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(ms).as("a query while Redis is down").isLessThan(1_000);
    return v;
  }

  private static long timedUnchecked(SqlSupplier s) {
    try {
      return timed(s);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits, bounded, until both instances hear each other's writes over Redis. */
  private static void connected(Node a, Node b) throws SQLException {
    for (Node[] pair : new Node[][] {{a, b}, {b, a}}) {
      Node writer = pair[0];
      Node listener = pair[1];
      await(
          () -> {
            long heard = listener.stats().invalidations();
            try (Connection c = writer.ds().getConnection();
                Statement s = c.createStatement()) {
              s.executeUpdate("UPDATE rc_fleet SET v = v WHERE k = -1");
            } catch (SQLException e) {
              throw new IllegalStateException(e);
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
            while (System.nanoTime() < deadline) {
              if (listener.stats().invalidations() > heard) {
                return true;
              }
              LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
            return false;
          },
          "the instances to connect to Redis");
    }
  }

  /** The result entries Redis holds under {@code prefix}, asked with a client of the test's own. */
  private static long redisEntries(String prefix) {
    io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis.uri());
    try (var connection = client.connect()) {
      return connection.sync().keys(prefix + "e:*").size(); // entries, not versions
    } finally {
      client.shutdown();
    }
  }

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
  }

  private static void resetTable() throws SQLException {
    try (Connection c = poolA.getConnection();
        Statement s = c.createStatement()) {
      s.execute("TRUNCATE rc_fleet");
      s.execute("INSERT INTO rc_fleet SELECT g, 0 FROM generate_series(0, " + (KEYS - 1) + ") g");
    }
  }

  private static long read(Node node, int key) throws SQLException {
    try (Connection c = node.ds().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT v FROM rc_fleet WHERE k = ?")) {
      ps.setInt(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Increments a key through the node; returns the committed value. */
  private static long write(Node node, Op op) throws SQLException {
    try (Connection c = node.ds().getConnection()) {
      c.setAutoCommit(!op.inTransaction());
      long v;
      String sql =
          "UPDATE rc_fleet SET v = v + 1 WHERE k = "
              + (op.prepared() ? "?" : String.valueOf(op.key()))
              + " RETURNING v";
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        if (op.prepared()) {
          ps.setInt(1, op.key());
        }
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          v = rs.getLong(1);
        }
      }
      if (op.inTransaction()) {
        c.commit();
        c.setAutoCommit(true);
      }
      return v;
    }
  }
}
