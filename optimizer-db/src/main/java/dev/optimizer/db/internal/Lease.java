package dev.optimizer.db.internal;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What one connection lease (from getConnection to close) has executed, per fingerprint, to spot
 * N+1 loops: the same fingerprint with at least {@code threshold} distinct parameter sets. Each
 * fingerprint is reported at most once per lease. JDBC connections are used by one thread at a
 * time, but the methods are synchronized so that misuse costs correctness nothing.
 */
final class Lease {
  private final int threshold;
  private final Map<Long, Set<Long>> parameterSets = new HashMap<>();

  /** Single executions per write fingerprint: write loops, for the batching advice. */
  final dev.optimizer.db.batch.internal.WriteLoops writeLoops =
      new dev.optimizer.db.batch.internal.WriteLoops();

  Lease(int threshold) {
    this.threshold = threshold;
  }

  /**
   * Notes an execution; returns the number of distinct parameter sets when this execution is the
   * one that reaches the threshold, 0 otherwise.
   */
  synchronized int executed(long fingerprintId, long parameterHash) {
    Set<Long> seen = parameterSets.computeIfAbsent(fingerprintId, id -> new HashSet<>());
    if (seen.size() >= threshold) {
      return 0; // already reported in this lease
    }
    if (seen.add(parameterHash) && seen.size() == threshold) {
      return threshold;
    }
    return 0;
  }
}
