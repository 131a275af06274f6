package dev.optimizer.db.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Decision;
import dev.optimizer.api.Knob;
import dev.optimizer.api.Mode;
import dev.optimizer.api.Verdict;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.cache.CacheCandidate;
import dev.optimizer.db.cache.ResultCacheSettings;
import dev.optimizer.db.cache.ResultCacheTrialSettings;
import dev.optimizer.db.internal.InstrumentedDataSource;
import dev.optimizer.db.support.EmbeddedPostgres;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.judge.JudgeSettings;
import dev.optimizer.runtime.tuning.TuningSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Result cache trials in AUTO mode on a real PostgreSQL. Tuning rounds run when the test says so
 * (manual tuning, no settle time, short windows); the latencies the judge compares are the real
 * ones of the real database against the cache.
 */
class ResultCacheTrialTest {
  private static final String HOT = "SELECT name FROM tr_item WHERE id = ?";
  private static final String BUSY =
      "SELECT count(*), sum(amount) FROM tr_order WHERE customer = ?";
  private static final String PREFIX = "db.result_cache.trials.";

  private static HikariDataSource hikari;
  private Optimizer optimizer;
  private DbOptimizer db;
  private DataSource ds;

  @BeforeAll
  static void start() {
    hikari = EmbeddedPostgres.hikari("trials", 4);
  }

  @AfterAll
  static void stop() {
    hikari.close();
  }

  @BeforeEach
  void tables() throws Exception {
    try (Connection c = hikari.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS tr_item, tr_order, tr_other");
      s.execute("CREATE TABLE tr_item (id int PRIMARY KEY, name text)");
      s.execute("INSERT INTO tr_item SELECT g, 'item ' || g FROM generate_series(1, 100) g");
      s.execute("CREATE TABLE tr_order (id serial PRIMARY KEY, customer int, amount int)");
      s.execute(
          "INSERT INTO tr_order (customer, amount) SELECT g % 10, 1 FROM generate_series(1, 1000) g");
      s.execute("CREATE TABLE tr_other (id int PRIMARY KEY, label text)");
      s.execute("INSERT INTO tr_other SELECT g, 'other ' || g FROM generate_series(1, 100) g");
    }
  }

  @AfterEach
  void close() {
    if (optimizer != null) {
      optimizer.close();
    }
  }

  private void wrap(Mode mode, ResultCacheTrialSettings trials) {
    wrap(mode, trials, null);
  }

  private void wrap(Mode mode, ResultCacheTrialSettings trials, ResultCacheSettings rules) {
    optimizer =
        Optimizer.builder()
            .manualTuning()
            .mode(mode)
            .judge(JudgeSettings.builder().minSamplesPerArm(100).build())
            .tuning(
                TuningSettings.builder()
                    .minWindow(Duration.ofMillis(1))
                    .settle(Duration.ZERO)
                    .maxWindow(Duration.ofHours(1))
                    .build())
            .build();
    DbOptimizer.Builder b =
        DbOptimizer.builder(optimizer).poolSizing(false).resultCacheTrials(trials);
    if (rules != null) {
      b.resultCache(rules);
    }
    db = b.build();
    ds = db.wrap(hikari);
  }

  private static ResultCacheTrialSettings.Builder settings() {
    return ResultCacheTrialSettings.builder().minReads(100);
  }

  private ResultCache cache() throws SQLException {
    return ds.unwrap(InstrumentedDataSource.class).instrumentation().resultCache();
  }

  private String name(int id) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(HOT)) {
      ps.setInt(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return rs.getString(1);
      }
    }
  }

  /** Reads of five hot rows, over and over; no writes. */
  private void hotReads(int n) {
    hotReads(n, 5);
  }

  /** Reads of a few hot rows in turn; no writes. */
  private void hotReads(int n, int rows) {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(HOT)) {
      for (int i = 0; i < n; i++) {
        ps.setInt(1, 1 + i % rows);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
        }
      }
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Ten customers read in turn, with a new order after every ten reads: the statistics promise a
   * high hit rate (few distinct parameters, few writes), but each write invalidates the table just
   * before every customer is read again, so hardly any read can hit.
   */
  private void busyReads(int n) {
    busyReads(n, 10);
  }

  /** Ten customers read in turn, with a new order after every {@code writeEvery} reads. */
  private void busyReads(int n, int writeEvery) {
    try (Connection c = ds.getConnection();
        PreparedStatement read = c.prepareStatement(BUSY);
        PreparedStatement write =
            c.prepareStatement("INSERT INTO tr_order (customer, amount) VALUES (?, 1)")) {
      for (int i = 0; i < n; i++) {
        read.setInt(1, i % 10);
        try (ResultSet rs = read.executeQuery()) {
          assertThat(rs.next()).isTrue();
        }
        if (i % writeEvery == writeEvery - 1) {
          write.setInt(1, i % 7);
          write.executeUpdate();
        }
      }
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  private Decision driveUntilDecision(Runnable traffic) {
    for (int round = 0; round < 100; round++) {
      traffic.run();
      for (Decision d : optimizer.runTuningCycle()) {
        if (d.knob().startsWith(PREFIX)) {
          return d;
        }
      }
    }
    return fail("no result cache trial was decided; tuning: " + optimizer.tuningStates());
  }

  private List<Knob<?>> trialKnobs() {
    return optimizer.knobs().stream().filter(k -> k.name().startsWith(PREFIX)).toList();
  }

  /** The fingerprint of the one query candidate that reads this table. */
  private long fingerprint(String table) {
    Optional<CacheCandidate> c =
        db.cacheCandidates().stream()
            .filter(x -> x.tables().equals(java.util.Set.of(table)))
            .findFirst();
    assertThat(c).as("candidate reading %s in %s", table, db.cacheCandidates()).isPresent();
    return c.get().fingerprintId();
  }

  @Test
  void aHotRepeatedReadIsTrialledAndKept() throws Exception {
    wrap(Mode.AUTO, settings().build());

    Decision d = driveUntilDecision(() -> hotReads(150));

    assertThat(d.knob()).isEqualTo(PREFIX + Long.toHexString(fingerprint("tr_item")));
    assertThat(d.controller()).isEqualTo("result-cache-trial");
    assertThat(d.from()).isEqualTo("0");
    assertThat(d.to()).isEqualTo("1");
    assertThat(d.verdict()).as(d.summary()).isEqualTo(Verdict.KEEP);
    assertThat(d.kept()).isTrue();
    assertThat(d.evidence().findings())
        .anySatisfy(f -> assertThat(f.metric()).isEqualTo("gauge.hit_rate"));
    assertThat(optimizer.decisions()).contains(d);
    assertThat(optimizer.report().toJson()).contains(d.knob());
    Knob<?> knob = optimizer.knob(d.knob()).orElseThrow();
    assertThat(knob.value()).isEqualTo(1);
    assertThat(knob.description()).contains("tr_item");

    // Kept: the cache answers, and the application's own writes still invalidate at once.
    long hits = db.resultCacheStats().hits();
    hotReads(50);
    assertThat(db.resultCacheStats().hits()).isGreaterThanOrEqualTo(hits + 45);
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE tr_item SET name = 'renamed' WHERE id = 2");
    }
    assertThat(name(2)).isEqualTo("renamed");
  }

  @Test
  void aReadWhoseTableIsWrittenConstantlyIsRolledBackAndItsEntriesDropped() throws Exception {
    wrap(Mode.AUTO, settings().build());

    Decision d = driveUntilDecision(() -> busyReads(150));

    assertThat(d.knob()).isEqualTo(PREFIX + Long.toHexString(fingerprint("tr_order")));
    assertThat(d.verdict()).as(d.summary()).isEqualTo(Verdict.REVERT);
    assertThat(d.kept()).isFalse();
    assertThat(optimizer.knob(d.knob()).orElseThrow().value()).isEqualTo(0);
    CacheTrial trial = cache().trials().trial(fingerprint("tr_order"));
    assertThat(trial.state()).isEqualTo(CacheTrial.State.ROLLED_BACK);
    assertThat(cache().trials().running()).isZero();
    // Its results are gone from the trials' store (nothing else was stored there).
    cache().trials().store.cleanUp();
    assertThat(cache().trials().store.estimatedSize()).isZero();

    // From now on the database answers, so a write the cache cannot see is read at once.
    long hits = db.resultCacheStats().hits();
    try (Connection c = hikari.getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO tr_order (customer, amount) VALUES (3, 1000)");
    }
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(BUSY)) {
      ps.setInt(1, 3);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        long expected;
        try (Connection raw = hikari.getConnection();
            Statement s = raw.createStatement();
            ResultSet truth =
                s.executeQuery("SELECT sum(amount) FROM tr_order WHERE customer = 3")) {
          truth.next();
          expected = truth.getLong(1);
        }
        assertThat(rs.getLong(2)).isEqualTo(expected);
      }
    }
    busyReads(100);
    assertThat(db.resultCacheStats().hits()).isEqualTo(hits);
    // Never trialled again, and the knob holds at 0.
    for (int i = 0; i < 3; i++) {
      busyReads(150);
      assertThat(optimizer.runTuningCycle()).noneMatch(x -> x.knob().equals(d.knob()));
    }
    assertThat(optimizer.knob(d.knob()).orElseThrow().value()).isEqualTo(0);
  }

  @Test
  void aFasterTrialWhoseObservedHitRateFallsShortIsRolledBack() throws Exception {
    // Ten customers, one write per 100 reads: the estimate after 1000 reads is 0.99 * 1000/1010 =
    // 0.98, but each write makes the next ten reads miss: 140 hits in a window of 150 reads, 0.93.
    // Most reads still hit, so the query is much faster; the floor alone decides.
    wrap(Mode.AUTO, settings().minReads(1000).minHitRate(0.97).build());

    Decision d = driveUntilDecision(() -> busyReads(150, 100));

    assertThat(d.verdict()).as(d.summary()).isEqualTo(Verdict.REVERT);
    assertThat(d.kept()).isFalse();
    assertThat(d.evidence().reason())
        .startsWith("hit_rate 0.9")
        .contains("is below the floor 0.97");
    assertThat(d.evidence().findings())
        .anySatisfy(
            f -> {
              assertThat(f.metric()).isEqualTo("latency");
              assertThat(f.direction()).isEqualTo(dev.optimizer.api.Finding.Direction.BETTER);
            });
    assertThat(optimizer.knob(d.knob()).orElseThrow().value()).isEqualTo(0);
    long hits = db.resultCacheStats().hits();
    busyReads(50, 100);
    assertThat(db.resultCacheStats().hits()).isEqualTo(hits);
  }

  @Test
  void rollingBackDropsTheEntriesSoNothingStaleIsServed() throws Exception {
    wrap(Mode.AUTO, settings().build());
    Decision d = driveUntilDecision(() -> hotReads(150));
    assertThat(d.kept()).as(d.summary()).isTrue();
    @SuppressWarnings("unchecked")
    Knob<Integer> knob = (Knob<Integer>) optimizer.knob(d.knob()).orElseThrow();

    assertThat(name(1)).isEqualTo("item 1");
    // A writer the cache cannot see: while the trial's cache is on, timeToLive bounds staleness.
    try (Connection c = hikari.getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE tr_item SET name = 'outside' WHERE id = 1");
    }
    assertThat(name(1)).isEqualTo("item 1");
    assertThat(cache().trials().store.estimatedSize()).isPositive();

    knob.set(0); // what a rollback does (the engine sets the knob back through its applier)

    cache().trials().store.cleanUp();
    assertThat(cache().trials().store.estimatedSize()).isZero();
    assertThat(name(1)).isEqualTo("outside");
    long hits = db.resultCacheStats().hits();
    hotReads(20);
    assertThat(db.resultCacheStats().hits()).isEqualTo(hits);
  }

  @Test
  void recommendModeNeverTurnsTheCacheOn() throws Exception {
    wrap(Mode.RECOMMEND, settings().build());

    for (int i = 0; i < 8; i++) {
      hotReads(150);
      assertThat(optimizer.runTuningCycle()).isEmpty();
    }

    assertThat(trialKnobs()).isEmpty();
    assertThat(optimizer.decisions()).isEmpty();
    assertThat(db.resultCacheStats().hits()).isZero();
    assertThat(cache().trials().running()).isZero();
    assertThat(db.cacheCandidates())
        .anySatisfy(
            c -> {
              assertThat(c.text()).contains("tr_item");
              assertThat(c.expectedHitRate()).isGreaterThan(0.9);
            });
    assertThat(optimizer.recommendations())
        .anySatisfy(r -> assertThat(r.kind()).isEqualTo("result-cache"));
  }

  @Test
  void anExcludedTableIsNeverTrialled() throws Exception {
    wrap(Mode.AUTO, settings().excludeTables("public.TR_ITEM").build());

    for (int i = 0; i < 8; i++) {
      hotReads(150);
      optimizer.runTuningCycle();
    }

    assertThat(trialKnobs()).isEmpty();
    assertThat(db.resultCacheStats().hits()).isZero();
  }

  @Test
  void queriesTheCacheMayNotHoldAreNeverTrialled() throws Exception {
    wrap(Mode.AUTO, settings().build());
    String[] unsafe = {
      "SELECT name, now() FROM tr_item WHERE id = ?",
      "SELECT name FROM tr_item WHERE id = ? FOR UPDATE",
      "SELECT name, random() FROM tr_item WHERE id = ?"
    };

    for (int round = 0; round < 6; round++) {
      for (String sql : unsafe) {
        try (Connection c = ds.getConnection();
            PreparedStatement ps = c.prepareStatement(sql)) {
          for (int i = 0; i < 150; i++) {
            ps.setInt(1, 1 + i % 5);
            try (ResultSet rs = ps.executeQuery()) {
              assertThat(rs.next()).isTrue();
            }
          }
        }
      }
      optimizer.runTuningCycle();
    }

    assertThat(trialKnobs()).isEmpty();
    assertThat(db.resultCacheStats().hits()).isZero();
  }

  @Test
  void aQueryARuleAlreadyCachesIsNotTrialled() throws Exception {
    wrap(
        Mode.AUTO,
        settings().build(),
        ResultCacheSettings.builder().cacheTables("tr_item").build());

    for (int i = 0; i < 4; i++) {
      hotReads(150);
      optimizer.runTuningCycle();
    }

    assertThat(trialKnobs()).isEmpty();
    assertThat(db.resultCacheStats().hits()).isGreaterThan(500); // the rule's cache answers
  }

  @Test
  void atMostTheConfiguredNumberOfTrialsRunAtOnce() throws Exception {
    wrap(Mode.AUTO, settings().maxConcurrentTrials(1).build());
    Runnable both =
        () -> {
          hotReads(150);
          otherReads(150);
        };

    // A trial starts about one read in 64 after minReads: give it plenty of reads.
    for (int i = 0; i < 10 && trialKnobs().isEmpty(); i++) {
      both.run();
    }
    both.run();
    both.run();
    assertThat(trialKnobs()).hasSize(1);
    assertThat(cache().trials().running()).isEqualTo(1);

    Decision first = driveUntilDecision(both);
    assertThat(cache().trials().running()).isZero();
    for (int i = 0; i < 10 && trialKnobs().size() < 2; i++) {
      both.run();
    }
    assertThat(trialKnobs()).hasSize(2);
    assertThat(trialKnobs()).anySatisfy(k -> assertThat(k.name()).isEqualTo(first.knob()));
  }

  private void otherReads(int n) {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT label FROM tr_other WHERE id = ?")) {
      for (int i = 0; i < n; i++) {
        ps.setInt(1, 1 + i % 3);
        try (ResultSet rs = ps.executeQuery()) {
          assertThat(rs.next()).isTrue();
        }
      }
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }
}
