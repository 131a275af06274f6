package dev.optimizer.runtime.judge;

/**
 * Fisher's exact test, one-sided, for "the trial's proportion of events (errors, tail exceedances)
 * is higher than the baseline's". Conditioned on the total number of events, the trial's count is
 * hypergeometric under the null hypothesis; the p-value is its upper tail. Exact for the sparse
 * counts (a handful of errors) where normal approximations mislead.
 */
final class ExactProportionTest {
  private ExactProportionTest() {}

  /**
   * P(X ≥ trialEvents) for X hypergeometric: population {@code n1 + n2}, {@code k} = all events,
   * {@code n2} draws.
   */
  static double pTrialHigher(long baselineEvents, long n1, long trialEvents, long n2) {
    long k = baselineEvents + trialEvents;
    long n = n1 + n2;
    if (k == 0) {
      return 1;
    }
    long lo = Math.max(0, n2 - (n - k));
    long hi = Math.min(k, n2);
    if (trialEvents <= lo) {
      return 1;
    }
    double logDenominator = Stats.logChoose(n, n2);
    // Sum the tail in log space relative to its largest term for stability.
    double maxLog = Double.NEGATIVE_INFINITY;
    double[] logs = new double[(int) Math.min(hi - trialEvents + 1, Integer.MAX_VALUE - 8)];
    for (int idx = 0; idx < logs.length; idx++) {
      long x = trialEvents + idx;
      logs[idx] = Stats.logChoose(k, x) + Stats.logChoose(n - k, n2 - x) - logDenominator;
      maxLog = Math.max(maxLog, logs[idx]);
    }
    double sum = 0;
    for (double l : logs) {
      sum += Math.exp(l - maxLog);
    }
    return Math.min(1, Math.exp(maxLog) * sum);
  }

  /** P(X ≤ trialEvents): the one-sided p-value for "the trial's proportion is lower". */
  static double pTrialLower(long baselineEvents, long n1, long trialEvents, long n2) {
    // Swap the roles of events and non-events.
    return pTrialHigher(n1 - baselineEvents, n1, n2 - trialEvents, n2);
  }
}
