package dev.optimizer.db.advisor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.db.internal.StatementKey;
import dev.optimizer.db.internal.StatementTable;
import java.util.HashSet;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class WorkloadSamplerTest {
  static StatementKey key(long id) {
    return new StatementKey(id, "SELECT ?", "SELECT", "t", "SELECT t");
  }

  /** However many executions, the sampler keeps at most k per fingerprint and m fingerprints. */
  @Property(tries = 100)
  void bounded(
      @ForAll @IntRange(min = 1, max = 5) int k,
      @ForAll @IntRange(min = 1, max = 10) int m,
      @ForAll @IntRange(min = 0, max = 400) int executions) {
    WorkloadSampler s = new WorkloadSampler(k, m, 100);
    for (int i = 0; i < executions; i++) {
      s.executed(key(i % 17), "SELECT " + i, null, 1);
    }
    assertThat(s.keys().size()).isLessThanOrEqualTo(m);
    for (StatementKey key : s.keys()) {
      assertThat(s.samples(key.id())).hasSizeLessThanOrEqualTo(k).isNotEmpty();
    }
  }

  @Test
  void laterExecutionsGetTheirChanceAndLongTextIsNotKept() {
    WorkloadSampler s = new WorkloadSampler(2, 10, 100);
    Set<String> seen = new HashSet<>();
    // The sampler draws from ThreadLocalRandom, which cannot be seeded: each round keeps the 20th
    // execution with probability 2/20, so 50 rounds missed it 0.5% of the time (a CI run failed
    // so); 300 rounds miss it with probability 0.9^300, about 2e-14.
    for (int round = 0; round < 300; round++) {
      s.clear();
      for (int i = 0; i < 20; i++) {
        s.executed(key(1), "SELECT " + i, null, 1);
      }
      s.samples(1).forEach(x -> seen.add(x.sql()));
    }
    // A uniform reservoir: executions after the first two are kept too.
    assertThat(seen).contains("SELECT 19");
    s.executed(key(2), "SELECT " + "x".repeat(200), null, 1);
    assertThat(s.samples(2)).isEmpty();
  }

  @Test
  void aFullSamplerMakesRoomForNewStatementsAndKeepsThoseStillRunning() {
    WorkloadSampler s = new WorkloadSampler(2, 10, 100);
    for (int id = 0; id < 10; id++) {
      s.executed(key(id), "SELECT " + id, null, 1);
    }
    // The workload shifts: statements 0-4 keep running, 5-9 are gone, 100-149 are new.
    for (int id = 100; id < 150; id++) {
      for (int hot = 0; hot < 5; hot++) {
        s.executed(key(hot), "SELECT " + hot, null, 1);
      }
      s.executed(key(id), "SELECT " + id, null, 1);
      assertThat(s.samples(id)).as("new statement %d", id).isNotEmpty();
      assertThat(s.keys()).hasSizeLessThanOrEqualTo(10);
    }
    for (int hot = 0; hot < 5; hot++) {
      assertThat(s.samples(hot)).as("statement %d, still running", hot).isNotEmpty();
    }
    for (int gone = 5; gone < 10; gone++) {
      assertThat(s.samples(gone)).as("statement %d, gone", gone).isEmpty();
    }
  }

  @Test
  void samplesAreForgottenWithTheStatementTable() {
    StatementTable table = new StatementTable(10);
    WorkloadSampler s = new WorkloadSampler(2, 10, 100);
    s.forgetWith(table);
    for (int id = 0; id < 10; id++) {
      table.record(key(id), 1, 0, false);
      s.executed(key(id), "SELECT " + id, null, 1);
    }
    table.clear();
    assertThat(s.keys()).isEmpty();
  }
}
