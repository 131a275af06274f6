package dev.optimizer.db.batch.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * Per connection lease: how many times each write fingerprint ran as a single execution. A JDBC
 * connection is used by one thread at a time; the method is synchronized so that misuse costs
 * correctness nothing.
 */
public final class WriteLoops {
  private final Map<Long, int[]> counts = new HashMap<>();

  /** Counts one single execution; true exactly when the count reaches {@code threshold}. */
  public synchronized boolean executed(long fingerprintId, int threshold) {
    int[] n = counts.computeIfAbsent(fingerprintId, id -> new int[1]);
    return ++n[0] == threshold;
  }
}
