package dev.optimizer.db.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Mode;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.cache.CacheCandidate;
import dev.optimizer.db.internal.Fingerprints;
import dev.optimizer.db.internal.Instrumentation;
import dev.optimizer.db.internal.InstrumentedDataSource;
import dev.optimizer.db.internal.StatementKey;
import dev.optimizer.db.internal.sql.SqlDialect;
import dev.optimizer.db.support.EmbeddedPostgres;
import dev.optimizer.runtime.Optimizer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The cache candidates, on by default in AUTO and RECOMMEND modes, have a new statement analysed
 * (parsed: milliseconds) on the analyses' background thread, never on the application's; the queue
 * is bounded and {@code close()} ends the thread.
 */
class StatementAnalysesBackgroundTest {
  private static final Function<String, StatementKey> PG =
      Fingerprints.forDialect(SqlDialect.POSTGRESQL, 65536);
  private static final String BY_ID = "SELECT name FROM bg_item WHERE id = ?";

  private static HikariDataSource hikari;
  private Optimizer optimizer;

  @BeforeAll
  static void start() throws Exception {
    hikari = EmbeddedPostgres.hikari("background-analyses", 2);
    try (Connection c = hikari.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS bg_item");
      s.execute("CREATE TABLE bg_item (id int PRIMARY KEY, name text)");
      s.execute("INSERT INTO bg_item SELECT g, 'item ' || g FROM generate_series(1, 10) g");
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

  private DataSource wrapWithDefaults() {
    optimizer = Optimizer.builder().manualTuning().mode(Mode.AUTO).build();
    return DbOptimizer.builder(optimizer).poolSizing(false).build().wrap(hikari);
  }

  private static StatementAnalyses analysesOf(DataSource ds) throws Exception {
    Instrumentation inst = ds.unwrap(InstrumentedDataSource.class).instrumentation();
    return inst.cacheCandidates().analyses();
  }

  private static void read(DataSource ds, int id) throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(BY_ID)) {
      ps.setInt(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("item " + id);
      }
    }
  }

  @Test
  void aNewStatementIsAnalysedOnTheBackgroundThreadAndCountedOnceItIs() throws Exception {
    DataSource ds = wrapWithDefaults();
    StatementAnalyses analyses = analysesOf(ds);

    read(ds, 1); // the statement's first sight: its analysis is queued, not made here
    StatementTables made = analyses.analysis(PG.apply(BY_ID)).get(30, TimeUnit.SECONDS);

    assertThat(made).isNotNull();
    assertThat(made.tables()).containsExactly("bg_item");
    assertThat(analyses.lastAnalysedOn())
        .isNotEqualTo(Thread.currentThread().getName())
        .startsWith("optimizer-sql-analysis-");
    assertThat(analyses.analysed()).isEqualTo(1);

    for (int id = 2; id <= 4; id++) {
      read(ds, id);
    }
    // Counted from the first execution recorded after the analysis was made: the three later
    // reads, and the first one too when the background thread finished its analysis between
    // queueing it and the first execution's lookup (on two cores it sometimes does).
    List<CacheCandidate> candidates = analysesOwner(ds).candidates();
    assertThat(candidates).hasSize(1);
    assertThat(candidates.get(0).tables()).containsExactly("bg_item");
    assertThat(candidates.get(0).reads()).isIn(3L, 4L);
    assertThat(analyses.analysed()).isEqualTo(1);
  }

  private static CacheCandidates analysesOwner(DataSource ds) throws Exception {
    return ds.unwrap(InstrumentedDataSource.class).instrumentation().cacheCandidates();
  }

  @Test
  void closingTheWrapperEndsTheAnalysesThread() throws Exception {
    DataSource ds = wrapWithDefaults();
    StatementAnalyses analyses = analysesOf(ds);
    read(ds, 1);
    analyses.analysis(PG.apply(BY_ID)).get(30, TimeUnit.SECONDS);

    ((AutoCloseable) ds).close();

    assertThat(analyses.awaitTerminated(30)).isTrue();
    // Closed: nothing is queued any more, and nothing fails.
    StatementKey later = PG.apply("SELECT id FROM bg_item WHERE name = ?");
    assertThat(analyses.ifAnalysed(later)).isNull();
    assertThat(analyses.queued()).isZero();
    assertThat(analyses.of(later).tables()).containsExactly("bg_item");
  }

  @Test
  void closeDropsWhatWaitsAndCompletesItsFutures() throws Exception {
    StatementAnalyses analyses = new StatementAnalyses();
    List<CompletableFuture<StatementTables>> futures = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      StatementKey k = PG.apply("SELECT name AS n" + i + " FROM bg_item WHERE id = ?");
      analyses.ifAnalysed(k);
      futures.add(analyses.analysis(k));
    }

    analyses.close();

    assertThat(analyses.awaitTerminated(30)).isTrue();
    for (CompletableFuture<StatementTables> f : futures) {
      assertThat(f).isDone(); // analysed before the close, or dropped (null)
    }
    assertThat(analyses.queued()).isZero();
    assertThat(analyses.analysed()).isLessThanOrEqualTo(200);
  }

  @Test
  void noMoreThanTheBoundWaitAndAStatementLeftOutIsQueuedAtALaterExecution() {
    List<Runnable> held = new ArrayList<>();
    StatementAnalyses analyses = new StatementAnalyses(held::add);
    List<StatementKey> keys = new ArrayList<>();
    for (int i = 0; i < StatementAnalyses.MAX_QUEUED + 10; i++) {
      StatementKey k = PG.apply("SELECT name AS n" + i + " FROM bg_item WHERE id = ?");
      keys.add(k);
      assertThat(analyses.ifAnalysed(k)).isNull();
      assertThat(analyses.ifAnalysed(k)).isNull(); // queued once, not again
    }
    assertThat(held).hasSize(StatementAnalyses.MAX_QUEUED);
    assertThat(analyses.queued()).isEqualTo(StatementAnalyses.MAX_QUEUED);
    assertThat(analyses.analysed()).isZero(); // nothing was parsed on the calling thread

    held.forEach(Runnable::run);
    held.clear();
    assertThat(analyses.queued()).isZero();
    assertThat(analyses.analysed()).isEqualTo(StatementAnalyses.MAX_QUEUED);
    assertThat(analyses.ifAnalysed(keys.get(0)).tables()).containsExactly("bg_item");

    StatementKey leftOut = keys.get(keys.size() - 1);
    assertThat(analyses.ifAnalysed(leftOut)).isNull();
    assertThat(held).hasSize(1);
    held.get(0).run();
    assertThat(analyses.ifAnalysed(leftOut).tables()).containsExactly("bg_item");
  }
}
