package dev.optimizer.db.cache.internal;

/** The JDBC call being wrapped: runs the delegate's method, throwing exactly what it threw. */
@FunctionalInterface
public interface SqlCall {
  /** Calls the delegate. */
  Object call() throws Throwable;
}
