package dev.optimizer.db.internal;

/**
 * Told of each successful execution, with the raw statement text and the bound values, so that an
 * index advisor can later EXPLAIN real executions. Called on the application's thread: it must be
 * cheap and must not throw (exceptions are caught and ignored). Values are kept in memory only.
 */
public interface ExecutionSampler {
  /**
   * One execution.
   *
   * @param key the statement's fingerprint
   * @param sql the raw text as the application gave it (with {@code ?} markers when prepared)
   * @param parameters the bound values of a prepared statement; {@code null} for a plain one
   * @param nanos how long it took
   */
  void executed(StatementKey key, String sql, BoundParameters parameters, long nanos);
}
