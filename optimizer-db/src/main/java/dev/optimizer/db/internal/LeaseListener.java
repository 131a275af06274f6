package dev.optimizer.db.internal;

/**
 * Told of every connection lease: the pool sizer's signal. Closed with the wrapper that feeds it.
 */
public interface LeaseListener extends AutoCloseable {
  /** A connection was handed out. The default does nothing. */
  default void leaseStarted() {}

  /** A lease ended; {@code nanos} runs from asking for the connection to giving it back. */
  void leaseCompleted(long nanos);

  /** Asking for a connection failed (a pool timeout) after {@code nanos}. */
  void leaseFailed(long nanos);

  /**
   * Called after a connection went back to the pool; may retire it when the pool holds more
   * connections than its (lowered) maximum. The default keeps it.
   */
  default void returned(java.sql.Connection connection) {}

  /** The wrapper was closed: stop what depends on its leases. The default does nothing. */
  @Override
  default void close() {}
}
