package dev.optimizer.runtime.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {
  private final AtomicLong nanos = new AtomicLong();
  private final dev.optimizer.api.Ticker ticker = nanos::get;

  @Test
  void extraRequestsStayWithinTheRatioOfRecentRequestsPlusTheReserve() {
    RetryBudget budget = new RetryBudget(0.05, 2, ticker);
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
    RetryBudget budget = new RetryBudget(0.1, 1, ticker);
    for (int i = 0; i < 100; i++) {
      budget.onRequest();
    }
    assertThat(budget.available()).isEqualTo(11.0);
    nanos.addAndGet(11_000_000_000L);
    assertThat(budget.available()).isEqualTo(1.0);
    assertThat(budget.tryWithdraw()).isTrue();
    assertThat(budget.tryWithdraw()).isFalse();
  }

  @Test
  void rejectsSettingsOutOfRange() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RetryBudget(1.5, 0, ticker))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ratio");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RetryBudget(0.1, -1, ticker))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reserve");
  }

  @Test
  void aZeroBudgetAllowsNothing() {
    RetryBudget budget = new RetryBudget(0, 0, ticker);
    budget.onRequest();
    assertThat(budget.tryWithdraw()).isFalse();
  }
}
