package dev.optimizer.db.internal;

import dev.optimizer.db.batch.internal.WriteLoops;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What one connection lease (from getConnection to close) has executed, per fingerprint, to spot
 * N+1 loops: the same fingerprint with at least {@code threshold} distinct parameter sets. Each
 * fingerprint is reported at most once per lease. JDBC connections are used by one thread at a
 * time, but the methods are synchronized so that misuse costs correctness nothing.
 *
 * <p>Most leases run one statement, or one statement with one set of values: the first execution is
 * kept in two fields, and the maps are made only when a second, different one comes. Since the
 * threshold is at least 2, the first execution alone never reports.
 */
final class Lease {
  private final int threshold;
  private boolean any;
  private long firstId;
  private long firstHash;
  private Map<Long, Set<Long>> parameterSets;
  private WriteLoops writeLoops;

  Lease(int threshold) {
    this.threshold = threshold;
  }

  /**
   * Notes an execution; returns the number of distinct parameter sets when this execution is the
   * one that reaches the threshold, 0 otherwise.
   */
  synchronized int executed(long fingerprintId, long parameterHash) {
    if (!any) {
      any = true;
      firstId = fingerprintId;
      firstHash = parameterHash;
      return 0;
    }
    if (parameterSets == null) {
      if (fingerprintId == firstId && parameterHash == firstHash) {
        return 0; // the first execution again: nothing new
      }
      parameterSets = new HashMap<>();
      parameterSets.computeIfAbsent(firstId, id -> new HashSet<>()).add(firstHash);
    }
    Set<Long> seen = parameterSets.computeIfAbsent(fingerprintId, id -> new HashSet<>());
    if (seen.size() >= threshold) {
      return 0; // already reported in this lease
    }
    if (seen.add(parameterHash) && seen.size() == threshold) {
      return threshold;
    }
    return 0;
  }

  /** Single executions per write fingerprint: write loops, for the batching advice. */
  synchronized WriteLoops writeLoops() {
    if (writeLoops == null) {
      writeLoops = new WriteLoops();
    }
    return writeLoops;
  }
}
