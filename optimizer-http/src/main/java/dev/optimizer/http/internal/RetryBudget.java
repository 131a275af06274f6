package dev.optimizer.http.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The budget hedges and retries share, in the manner of Finagle's retry budget: every request
 * deposits {@code ratio} of a token, every hedge or retry withdraws a whole one, and the balance is
 * capped at {@code reserve} tokens (which it starts with, so that a quiet client can still retry).
 * Over any long run, extra requests stay within {@code ratio} of the requests plus the reserve.
 * Lock-free; thread-safe.
 */
public final class RetryBudget {
  private static final long ONE = 1_000_000L;

  private final long deposit;
  private final long capacity;
  private final AtomicLong balance;

  /**
   * A budget.
   *
   * @param ratio extra requests allowed per request, in [0, 1]
   * @param reserve the most tokens saved up, at least 0
   */
  public RetryBudget(double ratio, int reserve) {
    this.deposit = Math.round(ratio * ONE);
    this.capacity = reserve * ONE;
    this.balance = new AtomicLong(capacity);
  }

  /** Deposits one request's share. */
  public void onRequest() {
    long cur = balance.get();
    if (cur >= capacity) {
      return;
    }
    balance.accumulateAndGet(deposit, (c, d) -> Math.min(capacity, c + d));
  }

  /** Withdraws one token for a hedge or a retry; false if the budget has none left. */
  public boolean tryWithdraw() {
    while (true) {
      long cur = balance.get();
      if (cur < ONE) {
        return false;
      }
      if (balance.compareAndSet(cur, cur - ONE)) {
        return true;
      }
    }
  }

  /** The tokens available now. */
  public double available() {
    return balance.get() / (double) ONE;
  }
}
