package dev.optimizer.db.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Mode;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.cache.ResultCacheSettings;
import dev.optimizer.db.cache.ResultCacheTrialSettings;
import dev.optimizer.db.support.EmbeddedPostgres;
import dev.optimizer.runtime.Optimizer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
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
 * Model-based check of the result cache against a real PostgreSQL: several threads run random
 * programs of reads and writes, in and out of transactions that commit or roll back, through one
 * cached DataSource. Every write increments a counter, so committed values only grow: the model
 * keeps, per key, the highest value whose commit has returned. Every read — cached or not — must be
 * at least the model's value as it was when the read began (zero stale reads of the application's
 * own committed writes), and a transaction's reads after its own writes must see them. The same
 * programs run once more with the cache turned on by AUTO mode's trials instead of a rule (their
 * knobs pinned on, so that every read may be served from the trials' store).
 *
 * <p>Under the rule, refresh-ahead is on with {@code refreshMinHits(1)}: most writes to a key that
 * was read reload it in the background, so refreshes race the programs' reads and writes; the
 * container checks that some refreshes did store results.
 */
class ResultCacheModelTest {
  private static final int KEYS = 6;
  private static HikariDataSource hikari;
  private static final AtomicLong totalHits = new AtomicLong();
  private static final AtomicLong totalRefreshes = new AtomicLong();

  sealed interface Op permits Read, ReadSum, Write, Tx {}

  record Read(int key, boolean plain) implements Op {}

  record ReadSum() implements Op {}

  record Write(int key, boolean plain) implements Op {}

  record Tx(List<Op> ops, boolean commit) implements Op {}

  @BeforeContainer
  static void start() throws Exception {
    hikari = EmbeddedPostgres.hikari("result-cache-model", 8);
    try (Connection c = hikari.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS rc_model");
      s.execute("CREATE TABLE rc_model (k int PRIMARY KEY, v bigint NOT NULL)");
    }
  }

  @AfterContainer
  static void stop() {
    hikari.close();
    // The property is vacuous unless the cache actually answered reads.
    assertThat(totalHits.get()).isPositive();
    assertThat(totalRefreshes.get()).as("refreshes stored during the programs").isPositive();
  }

  @Provide
  Arbitrary<List<List<Op>>> programs() {
    Arbitrary<Integer> key = Arbitraries.integers().between(0, KEYS - 1);
    Arbitrary<Op> simple =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(5, key.map(k -> (Op) new Read(k, false))),
            net.jqwik.api.Tuple.of(1, key.map(k -> (Op) new Read(k, true))),
            net.jqwik.api.Tuple.of(1, Arbitraries.just((Op) new ReadSum())),
            net.jqwik.api.Tuple.of(2, key.map(k -> (Op) new Write(k, false))),
            net.jqwik.api.Tuple.of(1, key.map(k -> (Op) new Write(k, true))));
    Arbitrary<Op> tx =
        Combinators.combine(simple.list().ofMinSize(1).ofMaxSize(5), Arbitraries.of(true, false))
            .as((ops, commit) -> (Op) new Tx(ops, commit));
    Arbitrary<Op> op =
        Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(5, simple), net.jqwik.api.Tuple.of(1, tx));
    return op.list().ofMinSize(1).ofMaxSize(12).list().ofMinSize(2).ofMaxSize(4);
  }

  @Property(tries = 25)
  void noReadIsStalerThanTheLastCommittedWrite(@ForAll("programs") List<List<Op>> programs)
      throws Exception {
    assertThat(run(programs, false)).isEmpty();
  }

  @Property(tries = 15)
  void noReadIsStalerWhenTheCacheIsOnByTrial(@ForAll("programs") List<List<Op>> programs)
      throws Exception {
    assertThat(run(programs, true)).isEmpty();
  }

  @Example
  void repeatedReadsAreServedFromTheCacheAndStayFresh() throws Exception {
    List<Op> reader = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      reader.add(new Read(i % 2, false));
      reader.add(new ReadSum());
    }
    List<Op> writer =
        List.of(
            new Write(0, false),
            new Tx(List.of(new Write(1, false), new Read(1, false)), true),
            new Tx(List.of(new Write(0, true)), false),
            new Write(1, true));
    long before = totalHits.get();
    assertThat(run(List.of(reader, writer), false)).isEmpty();
    long byRule = totalHits.get();
    assertThat(byRule).isGreaterThan(before);
    assertThat(run(List.of(reader, writer), true)).isEmpty();
    assertThat(totalHits.get()).isGreaterThan(byRule);
  }

  /**
   * Runs the programs concurrently on a fresh cache, selected by a rule or (with {@code trials}) by
   * AUTO mode's trials; returns the violations found.
   */
  private static List<String> run(List<List<Op>> programs, boolean trials) throws Exception {
    try (Connection c = hikari.getConnection();
        Statement s = c.createStatement()) {
      s.execute("TRUNCATE rc_model");
      s.execute("INSERT INTO rc_model SELECT g, 0 FROM generate_series(0, " + (KEYS - 1) + ") g");
    }
    Optimizer optimizer =
        Optimizer.builder().manualTuning().mode(trials ? Mode.AUTO : Mode.OBSERVE).build();
    try {
      DbOptimizer.Builder builder = DbOptimizer.builder(optimizer).poolSizing(false);
      if (trials) {
        builder.resultCacheTrials(
            ResultCacheTrialSettings.builder()
                .minReads(10)
                .minHitRate(0.01)
                .maxConcurrentTrials(4)
                .build());
      } else {
        builder.resultCache(
            ResultCacheSettings.builder()
                .cacheTables("rc_model")
                .refreshAhead(true)
                .refreshMinHits(1)
                .build());
      }
      DbOptimizer db = builder.build();
      DataSource ds = db.wrap(hikari);
      if (trials) {
        turnOnByTrial(ds, optimizer);
      }
      AtomicLongArray committed = new AtomicLongArray(KEYS);
      ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
      ExecutorService pool = Executors.newFixedThreadPool(programs.size());
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (List<Op> program : programs) {
        done.add(
            pool.submit(
                () -> {
                  go.await();
                  for (Op op : program) {
                    runOp(ds, op, committed, violations);
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
      totalHits.addAndGet(db.resultCacheStats().hits());
      totalRefreshes.addAndGet(db.resultCacheStats().refreshes());
      return new ArrayList<>(violations);
    } finally {
      optimizer.close();
    }
  }

  /**
   * Reads each read shape of the programs until AUTO mode has started a trial for it, then pins the
   * trials' knobs on: the cache then serves them as a kept trial would. Only reads, so the model's
   * starting point (all zeros) still holds.
   */
  @SuppressWarnings("unchecked")
  private static void turnOnByTrial(DataSource ds, Optimizer optimizer) throws SQLException {
    List<String> shapes =
        List.of("SELECT v FROM rc_model WHERE k = ?", "SELECT sum(v) FROM rc_model");
    try (Connection c = ds.getConnection();
        Statement plain = c.createStatement();
        PreparedStatement byKey = c.prepareStatement(shapes.get(0));
        PreparedStatement sum = c.prepareStatement(shapes.get(1))) {
      for (int i = 0; i < 20_000 && trialKnobs(optimizer).size() < 2; i++) {
        byKey.setInt(1, i % KEYS);
        byKey.executeQuery().close();
        plain.executeQuery("SELECT v FROM rc_model WHERE k = " + (i % KEYS)).close();
        sum.executeQuery().close();
      }
    }
    List<dev.optimizer.api.Knob<?>> knobs = trialKnobs(optimizer);
    assertThat(knobs).hasSize(2); // plain and prepared reads by key share one fingerprint
    for (dev.optimizer.api.Knob<?> k : knobs) {
      ((dev.optimizer.api.Knob<Integer>) k).pin(1);
    }
  }

  private static List<dev.optimizer.api.Knob<?>> trialKnobs(Optimizer optimizer) {
    return optimizer.knobs().stream().filter(k -> k.name().startsWith("db.result_cache.")).toList();
  }

  private static void runOp(
      DataSource ds, Op op, AtomicLongArray committed, ConcurrentLinkedQueue<String> violations)
      throws SQLException {
    try (Connection c = ds.getConnection()) {
      if (op instanceof Tx tx) {
        c.setAutoCommit(false);
        Map<Integer, Long> own = new HashMap<>();
        try {
          for (Op inner : tx.ops()) {
            step(c, inner, committed, own, violations);
          }
          if (tx.commit()) {
            c.commit();
            own.forEach((k, v) -> committed.accumulateAndGet(k, v, Math::max));
          } else {
            c.rollback();
          }
        } catch (SQLException e) {
          // Random programs update keys in any order, so two transactions may deadlock; the one
          // PostgreSQL aborts commits nothing, which the model then must not count either.
          if (!"40P01".equals(e.getSQLState())) {
            throw e;
          }
          c.rollback();
        } finally {
          c.setAutoCommit(true);
        }
      } else {
        Map<Integer, Long> own = new HashMap<>();
        step(c, op, committed, own, violations);
        own.forEach((k, v) -> committed.accumulateAndGet(k, v, Math::max));
      }
    }
  }

  /** One read or write; {@code own} collects the values this transaction wrote. */
  private static void step(
      Connection c,
      Op op,
      AtomicLongArray committed,
      Map<Integer, Long> own,
      ConcurrentLinkedQueue<String> violations)
      throws SQLException {
    if (op instanceof Write w) {
      // Prepared writes are pinned to their key; plain ones (literal text) to the whole table.
      String sql = "UPDATE rc_model SET v = v + 1 WHERE k = " + (w.plain() ? w.key() : "?");
      try (PreparedStatement ps = c.prepareStatement(sql + " RETURNING v")) {
        if (!w.plain()) {
          ps.setInt(1, w.key());
        }
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          own.put(w.key(), rs.getLong(1));
        }
      }
    } else if (op instanceof Read r) {
      long floor = Math.max(committed.get(r.key()), own.getOrDefault(r.key(), 0L));
      long v;
      if (r.plain()) {
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT v FROM rc_model WHERE k = " + r.key())) {
          rs.next();
          v = rs.getLong(1);
        }
      } else {
        try (PreparedStatement ps = c.prepareStatement("SELECT v FROM rc_model WHERE k = ?")) {
          ps.setInt(1, r.key());
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            v = rs.getLong(1);
          }
        }
      }
      if (v < floor) {
        violations.add("key " + r.key() + " read " + v + " after " + floor + " committed");
      }
    } else if (op instanceof ReadSum) {
      long floor = 0;
      for (int k = 0; k < KEYS; k++) {
        floor += Math.max(committed.get(k), own.getOrDefault(k, 0L));
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT sum(v) FROM rc_model")) {
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          long v = rs.getLong(1);
          if (v < floor) {
            violations.add("sum read " + v + " after " + floor + " committed");
          }
        }
      }
    }
  }
}
