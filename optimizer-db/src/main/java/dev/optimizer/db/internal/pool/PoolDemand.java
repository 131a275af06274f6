package dev.optimizer.db.internal.pool;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many connections callers wanted at once since it was last asked: the most in use at the same
 * time, and whether the pool ran out (a caller waited or every connection was lent). Updated on
 * every lease with a couple of atomic operations; read by the pool's controller once per trial.
 */
final class PoolDemand {
  /** What one period showed. */
  record Sample(int peakInUse, boolean exhausted) {}

  private final AtomicInteger inUse = new AtomicInteger();
  private final AtomicInteger peak = new AtomicInteger();
  private final AtomicInteger leases = new AtomicInteger();
  private volatile boolean exhausted;

  /**
   * A connection was handed out.
   *
   * @param waiting callers waiting for a connection at that moment, as the pool reports them
   */
  void leaseStarted(int waiting) {
    leases.incrementAndGet();
    int now = inUse.incrementAndGet();
    int p;
    while (now > (p = peak.get()) && !peak.compareAndSet(p, now)) {
      // another lease raised the peak meanwhile; look again
    }
    if (waiting > 0 && !exhausted) {
      exhausted = true;
    }
  }

  /** A connection was given back. */
  void leaseEnded() {
    inUse.decrementAndGet();
  }

  /**
   * What the period since the last call (or {@link #restart()}) showed, and starts a new period;
   * null, leaving the period open, while it has seen fewer than {@code 2 × poolSize} leases — too
   * few for its peak to mean anything.
   */
  Sample take(int poolSize) {
    if (leases.get() < 2 * poolSize) {
      return null;
    }
    Sample s = new Sample(peak.get(), exhausted || peak.get() >= poolSize);
    restart();
    return s;
  }

  /** Starts a new period, e.g. when the pool's size changes. */
  void restart() {
    leases.set(0);
    exhausted = false;
    peak.set(inUse.get());
  }
}
