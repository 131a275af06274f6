package dev.optimizer.db.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.api.Mode;
import dev.optimizer.api.Recommendation;
import dev.optimizer.db.cache.CacheCandidate;
import dev.optimizer.db.cache.ResultCacheTrialSettings;
import dev.optimizer.db.internal.Fingerprints;
import dev.optimizer.db.internal.StatementKey;
import dev.optimizer.db.internal.sql.SqlDialect;
import dev.optimizer.runtime.Optimizer;
import java.util.List;
import java.util.function.Function;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Which queries the traffic says are worth caching, and how much. */
class CacheCandidatesTest {
  private static final Function<String, StatementKey> PG =
      Fingerprints.forDialect(SqlDialect.POSTGRESQL, 65536);

  @Test
  void repeatedParametersOnRarelyWrittenTablesAreRecommended() {
    try (Optimizer optimizer = Optimizer.builder().manualTuning().mode(Mode.RECOMMEND).build()) {
      CacheCandidates candidates =
          new CacheCandidates(optimizer, new StatementAnalyses(Runnable::run));
      StatementKey byId = PG.apply("SELECT name FROM items WHERE id = ?");
      StatementKey scan = PG.apply("SELECT name FROM events WHERE user_id = ?");
      StatementKey write = PG.apply("UPDATE items SET name = ? WHERE id = ?");
      StatementKey clock = PG.apply("SELECT now() FROM items");
      for (int i = 0; i < 2048; i++) {
        candidates.executed(byId, i % 10); // ten hot keys
        candidates.executed(scan, 1_000_003L * i); // never the same parameters twice
        candidates.executed(clock, 1);
        if (i % 20 == 0) {
          candidates.executed(write, i);
        }
      }
      List<CacheCandidate> found = candidates.candidates();
      assertThat(found).hasSize(2); // now() is never a candidate
      CacheCandidate hot = found.get(0);
      assertThat(hot.text()).contains("FROM items");
      assertThat(hot.reads()).isEqualTo(2048);
      assertThat(hot.distinctParameters()).isBetween(9L, 12L);
      assertThat(hot.tableWrites()).isEqualTo(103);
      assertThat(hot.expectedHitRate()).isBetween(0.93, 0.96);
      CacheCandidate cold = found.get(1);
      assertThat(cold.expectedHitRate()).isLessThan(0.2);
      assertThat(optimizer.recommendations())
          .filteredOn(r -> r.kind().equals("result-cache"))
          .extracting(Recommendation::subject)
          .containsExactly(Long.toHexString(byId.id()));
    }
  }

  @Test
  void nothingIsTrackedWhileOnlyObserving() {
    try (Optimizer optimizer = Optimizer.builder().manualTuning().mode(Mode.OBSERVE).build()) {
      CacheCandidates candidates =
          new CacheCandidates(optimizer, new StatementAnalyses(Runnable::run));
      candidates.executed(PG.apply("SELECT name FROM items WHERE id = ?"), 1);
      assertThat(candidates.candidates()).isEmpty();
    }
  }

  /** A query over {@code items} reading {@code columns} columns, named c0000, c0001, ... */
  private static String wide(int columns, String last) {
    StringBuilder sql = new StringBuilder("SELECT ");
    for (int i = 0; i < columns; i++) {
      sql.append(String.format("c%04d, ", i));
    }
    return sql.append(last).append(" FROM items WHERE id = ?").toString();
  }

  @Property(tries = 40)
  void aCandidateKeepsItsTextCutAsTheStatisticsCutItAndTheFullTextsId(
      @ForAll @IntRange(min = 0, max = 1500) int columns) {
    try (Optimizer optimizer = Optimizer.builder().manualTuning().mode(Mode.RECOMMEND).build()) {
      CacheCandidates candidates =
          new CacheCandidates(optimizer, new StatementAnalyses(Runnable::run));
      StatementKey key = PG.apply(wide(columns, "name"));
      candidates.executed(key, 1);
      CacheCandidate c = candidates.candidates().get(0);
      assertThat(c.fingerprintId()).isEqualTo(key.id());
      assertThat(c.text()).isEqualTo(key.statisticsKey().text());
      assertThat(c.text().length())
          .isLessThanOrEqualTo(
              StatementKey.MAX_STATISTICS_TEXT + StatementKey.TRUNCATION_MARK.length());
    }
  }

  @Test
  void longStatementsThatDifferPastTheCutStayTwoCandidates() {
    try (Optimizer optimizer = Optimizer.builder().manualTuning().mode(Mode.RECOMMEND).build()) {
      CacheCandidates candidates =
          new CacheCandidates(optimizer, new StatementAnalyses(Runnable::run));
      StatementKey a = PG.apply(wide(1000, "name"));
      StatementKey b = PG.apply(wide(1000, "price"));
      assertThat(a.text().length()).isGreaterThan(StatementKey.MAX_STATISTICS_TEXT);
      candidates.executed(a, 1);
      candidates.executed(b, 1);
      candidates.executed(b, 2);
      List<CacheCandidate> found = candidates.candidates();
      assertThat(found)
          .extracting(CacheCandidate::fingerprintId)
          .containsExactlyInAnyOrder(a.id(), b.id());
      assertThat(found).extracting(CacheCandidate::text).allMatch(t -> t.endsWith(" …"));
      assertThat(found.get(0).text()).isEqualTo(found.get(1).text()); // same cut prefix
    }
  }

  /**
   * The candidate's text is cut, but the user's exclusion is matched against the statement's full
   * text, as the cache matches its rules: a pattern that matches only past the cut still excludes.
   */
  @Test
  void aTrialExclusionThatMatchesPastTheCutStillHolds() {
    try (Optimizer optimizer = Optimizer.builder().manualTuning().mode(Mode.AUTO).build()) {
      CacheTrials trials =
          new CacheTrials(
              optimizer,
              ResultCacheTrialSettings.builder()
                  .minReads(100)
                  .excludeStatementsMatching("secret_column")
                  .build(),
              null,
              "cut");
      CacheCandidates candidates =
          new CacheCandidates(optimizer, new StatementAnalyses(Runnable::run));
      candidates.trials(trials);
      StatementKey excluded = PG.apply(wide(1000, "secret_column"));
      StatementKey allowed = PG.apply(wide(1000, "public_column"));
      assertThat(excluded.statisticsKey().text()).doesNotContain("secret_column");
      for (int i = 0; i < 4096; i++) {
        candidates.executed(excluded, i % 4);
        candidates.executed(allowed, i % 4);
      }
      // The allowed one was considered (a trial started; one read in 64 is, at random) ...
      assertThat(trials.trial(allowed.id())).isNotNull();
      // ... and the excluded one, equally hot, never was.
      assertThat(trials.trial(excluded.id())).isNull();
    }
  }

  @Test
  void executionsBeforeTheBackgroundAnalysisAreNotCountedNorParsedOnTheCaller() {
    try (Optimizer optimizer = Optimizer.builder().manualTuning().mode(Mode.RECOMMEND).build()) {
      List<Runnable> held = new java.util.ArrayList<>();
      StatementAnalyses analyses = new StatementAnalyses(held::add);
      CacheCandidates candidates = new CacheCandidates(optimizer, analyses);
      StatementKey byId = PG.apply("SELECT name FROM items WHERE id = ?");
      for (int i = 0; i < 3; i++) {
        candidates.executed(byId, i);
      }
      assertThat(candidates.candidates()).isEmpty();
      assertThat(analyses.analysed()).isZero();
      assertThat(held).hasSize(1);

      held.get(0).run();
      candidates.executed(byId, 1);
      candidates.executed(byId, 1);

      assertThat(candidates.candidates())
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.reads()).isEqualTo(2);
                assertThat(c.tables()).containsExactly("items");
              });
    }
  }
}
