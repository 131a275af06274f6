package dev.optimizer.db;

/**
 * What one statement fingerprint has cost since it was first seen. Times are in nanoseconds.
 *
 * @param fingerprintId the fingerprint's stable id
 * @param text the sanitized text (literals and bind markers as {@code ?}); its first 4,096
 *     characters and {@code " …"} when it is longer, so that the statistics kept for the life of a
 *     data source stay small. {@code fingerprintId} is the whole text's, so two statements that
 *     differ only past the cut have the same text here and different ids
 * @param summary a low-cardinality summary such as {@code SELECT users}
 * @param calls executions, failed ones included
 * @param errors failed executions
 * @param rows rows read or changed
 * @param totalNanos total execution time
 * @param p50Nanos median execution time (within 1.6%)
 * @param p99Nanos 99th percentile of execution time (within 1.6%)
 * @param maxNanos slowest execution (exact)
 */
public record StatementStats(
    long fingerprintId,
    String text,
    String summary,
    long calls,
    long errors,
    long rows,
    long totalNanos,
    long p50Nanos,
    long p99Nanos,
    long maxNanos) {

  /** Mean execution time in nanoseconds; 0 before the first call. */
  public double meanNanos() {
    return calls == 0 ? 0 : (double) totalNanos / calls;
  }
}
