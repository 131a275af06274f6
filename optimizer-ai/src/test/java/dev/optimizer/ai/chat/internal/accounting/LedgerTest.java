package dev.optimizer.ai.chat.internal.accounting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.optimizer.ai.chat.ChatAccounting;
import dev.optimizer.ai.chat.ModelPrice;
import org.junit.jupiter.api.Test;

class LedgerTest {
  private static final ModelPrice TEN_DOLLARS_PER_MILLION = new ModelPrice(10, 0);

  private static void charge(Ledger l, String scope, long tokens) {
    l.call("m", scope, tokens, 0, TEN_DOLLARS_PER_MILLION, TEN_DOLLARS_PER_MILLION);
  }

  @Test
  void scopesBeyondTheBoundFoldIntoOtherScopesAndTotalsStayExact() {
    Ledger l = new Ledger(2);
    charge(l, "a", 100_000); // $1
    charge(l, "b", 200_000); // $2
    charge(l, "a", 100_000); // a is now the most recent
    charge(l, "c", 400_000); // $4: b, least recently charged, is folded away
    charge(l, "d", 100_000); // $1: a is folded away too

    ChatAccounting s = l.snapshot();
    assertThat(s.perScope()).containsOnlyKeys("c", "d", Ledger.OTHER_SCOPES);
    ChatAccounting.Usage other = s.perScope().get(Ledger.OTHER_SCOPES);
    assertThat(other.calls()).isEqualTo(3);
    assertThat(other.inputTokens()).isEqualTo(400_000);
    assertThat(other.costUsd()).isCloseTo(4.0, within(1e-9));
    assertThat(s.costUsd()).isCloseTo(9.0, within(1e-9));
    assertThat(l.scopeCost("c")).isCloseTo(4.0, within(1e-9));
    assertThat(l.scopeCost("b")).as("a folded scope starts again from zero").isZero();
  }

  @Test
  void withinTheBoundNothingIsFolded() {
    Ledger l = new Ledger();
    for (int i = 0; i < 1000; i++) {
      charge(l, "scope-" + i, 1);
    }
    assertThat(l.snapshot().perScope()).hasSize(1000).doesNotContainKey(Ledger.OTHER_SCOPES);
  }
}
