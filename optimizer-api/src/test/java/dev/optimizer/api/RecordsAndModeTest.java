package dev.optimizer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordsAndModeTest {

  @Test
  void modesIncludeTheOneBefore() {
    assertThat(Mode.OFF.observes()).isFalse();
    assertThat(Mode.OFF.recommends()).isFalse();
    assertThat(Mode.OFF.applies()).isFalse();
    assertThat(Mode.OBSERVE.observes()).isTrue();
    assertThat(Mode.OBSERVE.recommends()).isFalse();
    assertThat(Mode.OBSERVE.applies()).isFalse();
    assertThat(Mode.RECOMMEND.observes()).isTrue();
    assertThat(Mode.RECOMMEND.recommends()).isTrue();
    assertThat(Mode.RECOMMEND.applies()).isFalse();
    assertThat(Mode.AUTO.observes()).isTrue();
    assertThat(Mode.AUTO.recommends()).isTrue();
    assertThat(Mode.AUTO.applies()).isTrue();
  }

  @Test
  void armSummaryOfAWindow() {
    double[] ms = new double[100];
    for (int i = 0; i < ms.length; i++) {
      ms[i] = (i + 1) * 1_000_000.0; // 1ms .. 100ms
    }
    Window w = new Window(0, 4_000_000_000L, Distribution.of(ms), 100, 5, new double[0], Map.of());
    ArmSummary a = ArmSummary.of(w, 99);
    assertThat(a).isEqualTo(new ArmSummary(100, 5, 50.0, 99.0, 99.0, 25.0, 4.0));
    assertThat(a.errorRate()).isEqualTo(0.05);
    assertThat(new ArmSummary(0, 0, 0, 99, 0, 0, 0).errorRate()).isZero();
  }

  @Test
  void evidenceCopiesItsFindings() {
    List<Finding> findings = new ArrayList<>();
    findings.add(
        new Finding("proportion", "errors", Finding.Direction.NO_CHANGE, 1, 0, 0.01, "same"));
    ArmSummary arm = new ArmSummary(1, 0, 1, 99, 1, 1, 1);
    Evidence e = new Evidence(arm, arm, findings, "nothing changed");
    findings.clear();
    assertThat(e.findings()).hasSize(1);
    assertThatThrownBy(() -> e.findings().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void decisionSummary() {
    ArmSummary arm = new ArmSummary(1, 0, 1, 99, 1, 1, 1);
    Evidence e = new Evidence(arm, arm, List.of(), "throughput +12% (p=0.001)");
    Decision kept =
        new Decision(
            "db.pool.max_size",
            "hill-climb",
            "10",
            "14",
            10,
            14,
            Verdict.KEEP,
            true,
            e,
            Instant.EPOCH,
            1);
    Decision reverted =
        new Decision(
            "db.pool.max_size",
            "hill-climb",
            "14",
            "18",
            14,
            18,
            Verdict.REVERT,
            false,
            e,
            Instant.EPOCH,
            2);
    assertThat(kept.summary())
        .isEqualTo("db.pool.max_size 10 -> 14: KEEP (kept) — throughput +12% (p=0.001)");
    assertThat(reverted.summary())
        .isEqualTo("db.pool.max_size 14 -> 18: REVERT (reverted) — throughput +12% (p=0.001)");
  }
}
