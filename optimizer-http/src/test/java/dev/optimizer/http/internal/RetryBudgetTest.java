package dev.optimizer.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.testing.ManualTime;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {
  private final ManualTime time = ManualTime.create();

  @Test
  void extraRequestsStayWithinTheRatioOfRecentRequestsPlusTheReserve() {
    RetryBudget budget = new RetryBudget(0.05, 2, time.ticker());
    for (int i = 0; i < 100; i++) {
      budget.onRequest();
    }
    int granted = 0;
    while (budget.tryWithdraw()) {
      granted++;
    }
    assertThat(granted).isEqualTo(7); // 5% of 100, plus 2
  }

  @Test
  void depositsExpireAfterTenSecondsButTheReserveStays() {
    RetryBudget budget = new RetryBudget(0.1, 1, time.ticker());
    for (int i = 0; i < 100; i++) {
      budget.onRequest();
    }
    assertThat(budget.available()).isEqualTo(11.0);
    time.advance(Duration.ofSeconds(11));
    assertThat(budget.available()).isEqualTo(1.0);
    assertThat(budget.tryWithdraw()).isTrue();
    assertThat(budget.tryWithdraw()).isFalse();
  }

  @Test
  void aZeroBudgetAllowsNothing() {
    RetryBudget budget = new RetryBudget(0, 0, time.ticker());
    budget.onRequest();
    assertThat(budget.tryWithdraw()).isFalse();
  }
}
