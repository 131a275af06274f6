package dev.optimizer.db.advisor.internal;

import java.util.List;

/**
 * One statement of the workload the advisor weighs.
 *
 * @param fingerprintId the fingerprint's id
 * @param text the sanitized text (for reports)
 * @param calls executions seen
 * @param totalNanos total time: the statement's weight
 * @param samples real executions to EXPLAIN; may be empty (then it cannot be evaluated)
 */
public record WorkloadStatement(
    long fingerprintId, String text, long calls, long totalNanos, List<ExecutionSample> samples) {
  /** Copies the samples. */
  public WorkloadStatement {
    samples = List.copyOf(samples);
  }
}
