package dev.optimizer.db.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.api.Mode;
import dev.optimizer.api.Recommendation;
import dev.optimizer.db.cache.CacheCandidate;
import dev.optimizer.db.internal.Fingerprints;
import dev.optimizer.db.internal.StatementKey;
import dev.optimizer.db.internal.sql.SqlDialect;
import dev.optimizer.runtime.Optimizer;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Which queries the traffic says are worth caching, and how much. */
class CacheCandidatesTest {
  private static final Function<String, StatementKey> PG =
      Fingerprints.forDialect(SqlDialect.POSTGRESQL, 65536);

  @Test
  void repeatedParametersOnRarelyWrittenTablesAreRecommended() {
    try (Optimizer optimizer = Optimizer.builder().manualTuning().mode(Mode.RECOMMEND).build()) {
      CacheCandidates candidates = new CacheCandidates(optimizer);
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
      CacheCandidates candidates = new CacheCandidates(optimizer);
      candidates.executed(PG.apply("SELECT name FROM items WHERE id = ?"), 1);
      assertThat(candidates.candidates()).isEmpty();
    }
  }
}
