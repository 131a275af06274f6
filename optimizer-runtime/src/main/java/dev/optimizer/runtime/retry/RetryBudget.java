package dev.optimizer.runtime.retry;

import dev.optimizer.api.Ticker;
import dev.optimizer.api.internal.Checks;

/**
 * The budget hedges and retries share, in the manner of Finagle's retry budget: over any sliding
 * window of ten seconds, extra requests (hedges and retries together) stay within {@code ratio} of
 * the requests made in that window, plus {@code reserve} — so a quiet client can still retry, and a
 * busy one never multiplies its load by more than {@code 1 + ratio}. Counted in ten buckets of one
 * second. Shared by the HTTP decorators' hedges and retries and by the LLM decorators' retries.
 * Thread-safe.
 */
public final class RetryBudget {
  private static final int BUCKETS = 10;
  private static final long BUCKET_NANOS = 1_000_000_000L;

  private final double ratio;
  private final int reserve;
  private final Ticker ticker;
  private final long[] deposits = new long[BUCKETS]; // guarded by this
  private final long[] withdrawals = new long[BUCKETS]; // guarded by this
  private final long[] epochs = new long[BUCKETS]; // guarded by this

  /**
   * A budget.
   *
   * @param ratio extra requests allowed per request, in [0, 1]
   * @param reserve extra requests allowed in any window whatever the traffic, at least 0
   * @param ticker the time source
   * @throws IllegalArgumentException if {@code ratio} or {@code reserve} is out of range
   */
  public RetryBudget(double ratio, int reserve, Ticker ticker) {
    this.ratio = Checks.inRange("ratio", ratio, 0.0, 1.0);
    this.reserve = Checks.inRange("reserve", reserve, 0, Integer.MAX_VALUE);
    this.ticker = Checks.notNull("ticker", ticker);
    java.util.Arrays.fill(epochs, Long.MIN_VALUE);
  }

  /** Deposits one request's share. */
  public synchronized void onRequest() {
    deposits[bucket(ticker.read())]++;
  }

  /** Withdraws one extra request for a hedge or a retry; false if the budget allows none now. */
  public synchronized boolean tryWithdraw() {
    int now = bucket(ticker.read());
    if (available() < 1) {
      return false;
    }
    withdrawals[now]++;
    return true;
  }

  /** Extra requests allowed now. */
  public synchronized double available() {
    long epoch = Math.floorDiv(ticker.read(), BUCKET_NANOS);
    long d = 0;
    long w = 0;
    for (int i = 0; i < BUCKETS; i++) {
      if (epochs[i] > epoch - BUCKETS) {
        d += deposits[i];
        w += withdrawals[i];
      }
    }
    return reserve + ratio * d - w;
  }

  private int bucket(long nanos) {
    long epoch = Math.floorDiv(nanos, BUCKET_NANOS);
    int i = (int) Math.floorMod(epoch, (long) BUCKETS);
    if (epochs[i] != epoch) {
      epochs[i] = epoch;
      deposits[i] = 0;
      withdrawals[i] = 0;
    }
    return i;
  }
}
