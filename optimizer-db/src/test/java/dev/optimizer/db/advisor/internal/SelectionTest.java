package dev.optimizer.db.advisor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class SelectionTest {
  static Probe probe(long id, long nanos, double baseCost) {
    return new Probe(
        new WorkloadStatement(id, "q" + id, 1, nanos, List.of()),
        new ExecutionSample("SELECT 1", null),
        new QueryShape("SELECT", List.of()),
        new Plan(baseCost, List.of(), List.of(), ""));
  }

  static Evaluation eval(String table, List<String> key, long bytes, Probe p, double cost) {
    return new Evaluation(
        new Candidate("public", table, key, List.of()),
        bytes,
        List.of(p),
        List.of(new Plan(cost, List.of(), List.of(), "")));
  }

  @Test
  void prefersBenefitPerByteAndSkipsSmallGains() {
    Probe heavy = probe(1, 1_000_000, 1000);
    Probe light = probe(2, 10_000, 1000);
    Evaluation big = eval("t", List.of("a"), 10_000_000, heavy, 10);
    Evaluation small = eval("t", List.of("b"), 100_000, heavy, 12);
    Evaluation marginal = eval("t", List.of("c"), 8192, light, 700); // 30%: below minGain

    List<Selection.Chosen> chosen =
        new Selection(0.5, 5, 1L << 30, 0.1).choose(List.of(big, small, marginal), Map.of());

    // After "b", "a" cuts the heavy statement's cost only from 12 to 10: not worth it.
    assertThat(chosen)
        .extracting(c -> c.evaluation().candidate().key())
        .containsExactly(List.of("b"));
  }

  @Test
  void writeOverheadKeepsIndexesOffWriteHeavyTables() {
    Probe read = probe(1, 1_000, 1000);
    Evaluation e = eval("t", List.of("a"), 8192, read, 10);
    assertThat(
            new Selection(0.5, 5, 1L << 30, 0.1)
                .choose(List.of(e), Map.of(e.candidate().qualifiedTable(), 1_000_000L)))
        .isEmpty();
    assertThat(
            new Selection(0.5, 5, 1L << 30, 0.1)
                .choose(List.of(e), Map.of(e.candidate().qualifiedTable(), 100L)))
        .hasSize(1);
  }

  @Test
  void aPrefixOfAChosenIndexIsDropped() {
    Probe p1 = probe(1, 1_000_000, 1000);
    Probe p2 = probe(2, 1_000_000, 1000);
    Evaluation ab = eval("t", List.of("a", "b"), 20_000, p2, 10);
    Evaluation a = eval("t", List.of("a"), 10_000, p1, 10);
    List<Selection.Chosen> chosen =
        new Selection(0.5, 5, 1L << 30, 0).choose(List.of(a, ab), Map.of());
    assertThat(chosen)
        .extracting(c -> c.evaluation().candidate().key())
        .containsExactly(List.of("a", "b"));
  }

  /** Whatever the candidates, the budgets hold and no chosen index is a prefix of another. */
  @Property(tries = 200)
  void budgetsHoldAndNothingIsRedundant(
      @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 5) Integer> keys,
      @ForAll @IntRange(min = 1, max = 4) int maxIndexes,
      @ForAll @IntRange(min = 1, max = 50) int maxKib) {
    List<Evaluation> evals = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      List<String> key = new ArrayList<>();
      for (int k = 0; k <= keys.get(i) % 3; k++) {
        key.add("c" + ((keys.get(i) + k) % 4));
      }
      Probe p = probe(i % 3, 1_000_000L * (i + 1), 1000);
      evals.add(eval("t", key, 8192L * (1 + keys.get(i)), p, 100.0 / (i + 1)));
    }
    long maxBytes = Math.max(64 << 10, maxKib * 8192L);
    List<Selection.Chosen> chosen =
        new Selection(0.5, maxIndexes, maxBytes, 0).choose(evals, Map.of());
    assertThat(chosen.size()).isLessThanOrEqualTo(maxIndexes);
    assertThat(chosen.stream().mapToLong(c -> c.evaluation().bytes()).sum())
        .isLessThanOrEqualTo(maxBytes);
    for (Selection.Chosen a : chosen) {
      for (Selection.Chosen b : chosen) {
        if (a != b) {
          assertThat(a.evaluation().candidate().servedBy(b.evaluation().candidate())).isFalse();
        }
      }
      assertThat(a.gains()).allSatisfy(g -> assertThat(g.relative()).isGreaterThanOrEqualTo(0.5));
    }
  }
}
