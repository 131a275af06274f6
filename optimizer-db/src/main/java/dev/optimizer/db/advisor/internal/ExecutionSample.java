package dev.optimizer.db.advisor.internal;

/**
 * One real execution kept for the advisor: the raw text and, for a prepared statement, its bound
 * values by position. In memory only; never logged or exported.
 *
 * @param sql the raw text ({@code ?} markers when prepared)
 * @param parameters values by position (index 0 is position 1), or {@code null} for a plain
 *     statement
 */
public record ExecutionSample(String sql, Object[] parameters) {
  /** Whether the text has markers to bind. */
  public boolean prepared() {
    return parameters != null;
  }
}
