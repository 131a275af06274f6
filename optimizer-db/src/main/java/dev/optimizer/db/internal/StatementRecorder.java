package dev.optimizer.db.internal;

import dev.optimizer.db.cache.internal.LeaseCache;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What the wrappers of one {@link Statement}, {@code PreparedStatement} or {@code
 * CallableStatement} share: times every execution and records it under its fingerprint. Bound
 * parameter values are kept only while the statement lives (to tell N+1 loops from repeated
 * identical calls) and never recorded. Exceptions are rethrown unchanged.
 *
 * <p>The execute methods are numbered ({@link #QUERY}, ...) rather than passed as lambdas, so that
 * an execution without a result cache allocates nothing of ours. Used by one thread at a time, like
 * its statement.
 */
final class StatementRecorder {
  static final int EXECUTE = 0;
  static final int EXECUTE_KEYS = 1;
  static final int EXECUTE_INDEXES = 2;
  static final int EXECUTE_NAMES = 3;
  static final int QUERY = 4;
  static final int UPDATE = 5;
  static final int UPDATE_KEYS = 6;
  static final int UPDATE_INDEXES = 7;
  static final int UPDATE_NAMES = 8;
  static final int LARGE_UPDATE = 9;
  static final int LARGE_UPDATE_KEYS = 10;
  static final int LARGE_UPDATE_INDEXES = 11;
  static final int LARGE_UPDATE_NAMES = 12;
  static final int PREPARED_EXECUTE = 13;
  static final int PREPARED_QUERY = 14;
  static final int PREPARED_UPDATE = 15;
  static final int PREPARED_LARGE_UPDATE = 16;
  static final int BATCH = 17;
  static final int LARGE_BATCH = 18;

  /** The JDBC method of each operation, as the result cache wants it. */
  private static final String[] METHODS = {
    "execute",
    "execute",
    "execute",
    "execute",
    "executeQuery",
    "executeUpdate",
    "executeUpdate",
    "executeUpdate",
    "executeUpdate",
    "executeLargeUpdate",
    "executeLargeUpdate",
    "executeLargeUpdate",
    "executeLargeUpdate",
    "execute",
    "executeQuery",
    "executeUpdate",
    "executeLargeUpdate",
    "executeBatch",
    "executeLargeBatch"
  };

  private final Statement delegate;
  private final Connection connection;
  private final Instrumentation inst;
  private final Lease lease;
  private final StatementSlot preparedSlot;
  private final String preparedSql;
  private final BoundParameters parameters;
  private final LeaseCache cache;
  private Statement wrapper;
  private boolean unplainParameters; // a value bound with a calendar or a scale: not cached
  private StatementSlot batchSlot;
  private long batchHash;
  // With a result cache: the keys of the statements of a plain statement's batch, or null.
  private java.util.List<StatementKey> batchKeys;
  // The slot of the last execute() that returned a boolean, for the rows of getResultSet().
  private StatementSlot executedSlot;
  // Whether the update count of the last execute() was counted as its rows (once, however often
  // getUpdateCount() is asked).
  private boolean updateCounted;
  // The result set the result cache answered the last executeQuery with, as handed out: the
  // statement's current result, which the driver does not know (on a hit it ran nothing; on a
  // miss the cache read its result set and closed it). Null when the driver's answers stand.
  private InstrumentedResultSet served;
  // Whether getMoreResults() moved past the served result: no result set, no update count.
  private boolean servedPast;

  StatementRecorder(
      Statement delegate,
      Connection connection,
      Instrumentation inst,
      Lease lease,
      StatementSlot preparedSlot,
      String preparedSql,
      LeaseCache cache) {
    this.delegate = delegate;
    this.connection = connection;
    this.inst = inst;
    this.lease = lease;
    this.preparedSlot = preparedSlot;
    this.preparedSql = preparedSql;
    this.parameters = delegate instanceof PreparedStatement ? new BoundParameters() : null;
    this.cache = cache;
  }

  /** The wrapper that result sets answer {@code getStatement()} with. */
  void attach(Statement wrapper) {
    this.wrapper = wrapper;
  }

  /** The wrapping connection, for {@code getConnection()}. */
  Connection connection() {
    return connection;
  }

  /** Wraps a result set of this statement that no execution is counted for; null stays null. */
  ResultSet unmeasured(ResultSet rs) {
    return InstrumentedResultSet.wrap(rs, wrapper, inst, null);
  }

  /**
   * Wraps the result set {@code getResultSet()} returns: its rows count for the last measured
   * {@code execute}, which returned only a boolean (MyBatis, for one, runs every query as {@code
   * execute()} and then {@code getResultSet()}).
   */
  ResultSet current(ResultSet rs) {
    return InstrumentedResultSet.wrap(rs, wrapper, inst, executedSlot);
  }

  /**
   * The update count {@code getUpdateCount()} returns: it counts as the rows of the last measured
   * {@code execute}, which returned only a boolean (MyBatis runs every INSERT, UPDATE and DELETE as
   * {@code execute()} and then {@code getUpdateCount()}), once; returned unchanged.
   */
  long updateCount(long count) {
    if (count > 0 && executedSlot != null && !updateCounted) {
      updateCounted = true;
      inst.addRows(executedSlot, count);
    }
    return count;
  }

  /**
   * Whether the statement's current result is one the result cache answered: {@code
   * getResultSet()}, {@code getUpdateCount()} and {@code getMoreResults()} are then this recorder's
   * to answer, not the driver's.
   */
  boolean serving() {
    return served != null || servedPast;
  }

  /** {@code getResultSet()} while {@link #serving()}: the served result set, or null past it. */
  ResultSet servedResultSet() {
    return servedPast ? null : served;
  }

  /**
   * {@code getMoreResults(current)} while {@link #serving()}: a query has no more results. The
   * served result set is closed unless {@code KEEP_CURRENT_RESULT}; that close does not close the
   * statement ({@code closeOnCompletion}), which the caller is still using.
   */
  boolean servedMoreResults(int current) throws SQLException {
    InstrumentedResultSet rs = servedPast ? null : served;
    served = null;
    servedPast = true;
    if (rs != null && current != Statement.KEEP_CURRENT_RESULT) {
      rs.close();
    }
    return false;
  }

  /**
   * A served result set was closed: with {@code closeOnCompletion()}, the statement closes with the
   * result set it depends on, as it would have with the driver's own (the driver does not know this
   * one). A result set no longer current (the statement ran again) leaves it open.
   */
  void servedClosed(InstrumentedResultSet rs) throws SQLException {
    if (rs != served || delegate.isClosed()) {
      return;
    }
    if (delegate.isCloseOnCompletion()) {
      wrapper.close();
    }
  }

  /** The statement closes: so does the result set the cache answered it with, if still open. */
  void closeServed() throws SQLException {
    InstrumentedResultSet rs = served;
    served = null;
    if (rs != null) {
      rs.close();
    }
  }

  /** A parameter about to be bound (see {@code InstrumentedPreparedStatement#bound}). */
  void bound(Object position, Object value, boolean isNull, boolean plain) {
    if (preparedSlot != null) {
      // Kept so that N+1 detection can tell values apart, and for the result cache's key.
      parameters.set(position, value, isNull);
      unplainParameters |= !plain;
    }
  }

  void clearParameters() {
    parameters.clear();
    unplainParameters = false;
  }

  /**
   * {@code addBatch(String)}: a plain statement's batch is counted under its first statement; with
   * a result cache, each statement's key is kept, for what it does to the session.
   */
  void addBatch(String sql) {
    if (!inst.enabled()) {
      return;
    }
    StatementSlot slot = batchSlot == null || cache != null ? inst.slot(sql) : null;
    if (batchSlot == null) {
      batchSlot = slot;
    }
    if (cache != null) {
      StatementKey key = slot == null ? null : slot.key;
      if (batchKeys == null) {
        batchKeys = new java.util.ArrayList<>();
      }
      batchKeys.add(key); // a null key (not fingerprinted) counts as a statement we cannot read
    }
  }

  /** {@code addBatch()} of a prepared statement: its current values join the batch's hash. */
  void addBatch() {
    batchHash = 31 * batchHash + parameters.hash();
  }

  void clearBatch() {
    batchSlot = null;
    batchHash = 0;
    batchKeys = null;
  }

  /** Runs one operation on the driver. */
  private Object call(int op, String sql, Object extra) throws SQLException {
    switch (op) {
      case EXECUTE:
        return delegate.execute(sql);
      case EXECUTE_KEYS:
        return delegate.execute(sql, (Integer) extra);
      case EXECUTE_INDEXES:
        return delegate.execute(sql, (int[]) extra);
      case EXECUTE_NAMES:
        return delegate.execute(sql, (String[]) extra);
      case QUERY:
        return delegate.executeQuery(sql);
      case UPDATE:
        return delegate.executeUpdate(sql);
      case UPDATE_KEYS:
        return delegate.executeUpdate(sql, (Integer) extra);
      case UPDATE_INDEXES:
        return delegate.executeUpdate(sql, (int[]) extra);
      case UPDATE_NAMES:
        return delegate.executeUpdate(sql, (String[]) extra);
      case LARGE_UPDATE:
        return delegate.executeLargeUpdate(sql);
      case LARGE_UPDATE_KEYS:
        return delegate.executeLargeUpdate(sql, (Integer) extra);
      case LARGE_UPDATE_INDEXES:
        return delegate.executeLargeUpdate(sql, (int[]) extra);
      case LARGE_UPDATE_NAMES:
        return delegate.executeLargeUpdate(sql, (String[]) extra);
      case PREPARED_EXECUTE:
        return ((PreparedStatement) delegate).execute();
      case PREPARED_QUERY:
        return ((PreparedStatement) delegate).executeQuery();
      case PREPARED_UPDATE:
        return ((PreparedStatement) delegate).executeUpdate();
      case PREPARED_LARGE_UPDATE:
        return ((PreparedStatement) delegate).executeLargeUpdate();
      case BATCH:
        return delegate.executeBatch();
      case LARGE_BATCH:
        return delegate.executeLargeBatch();
      default:
        throw new IllegalArgumentException("no such operation: " + op);
    }
  }

  /** An operation the optimizer does not measure; with a result cache, it may have written. */
  private Object unmeasuredCall(int op, String sql, Object extra) throws SQLException {
    return cache == null
        ? call(op, sql, extra)
        : Jdbc.call(() -> cache.unseen(() -> call(op, sql, extra)));
  }

  /**
   * One execution: {@code sql} for the plain statement's methods (also when called on a prepared
   * statement), null for a prepared statement's own.
   */
  Object execute(int op, String sql, Object extra) throws SQLException {
    executedSlot = null;
    updateCounted = false;
    served = null;
    servedPast = false;
    if (!inst.enabled()) {
      return result(unmeasuredCall(op, sql, extra), null);
    }
    StatementSlot slot;
    long hash;
    String text;
    boolean prepared = sql == null;
    if (prepared) {
      slot = preparedSlot;
      hash = parameters == null ? 0 : parameters.hash(); // execute(null) on a plain statement
      text = preparedSql;
    } else {
      slot = inst.slot(sql);
      hash = sql.hashCode();
      text = sql;
    }
    if (slot == null) {
      return result(unmeasuredCall(op, sql, extra), null);
    }
    StatementKey key = slot.key;
    BoundParameters values = prepared ? parameters : null;
    long start = inst.ticker.read();
    Object result;
    try {
      result =
          cache == null
              ? call(op, sql, extra)
              : Jdbc.call(
                  () ->
                      cache.execute(
                          delegate,
                          METHODS[op],
                          key,
                          text,
                          values,
                          !unplainParameters,
                          () -> call(op, sql, extra)));
    } catch (SQLException | RuntimeException | Error t) {
      inst.executed(slot, inst.ticker.read() - start, 0, t, lease, hash);
      throw t;
    }
    long rows =
        result instanceof Integer i
            ? Math.max(0, i)
            : result instanceof Long l ? Math.max(0, l) : 0;
    long nanos = inst.ticker.read() - start;
    inst.executed(slot, nanos, rows, null, lease, hash);
    inst.sample(key, text, values, nanos);
    inst.singleWrite(key, lease, delegate);
    if (result instanceof Boolean) {
      executedSlot = slot; // its rows are read through getResultSet()
    }
    return result(result, slot);
  }

  private Object result(Object result, StatementSlot slot) {
    if (!(result instanceof ResultSet rs)) {
      return result;
    }
    if (cache != null && LeaseCache.answered(rs)) {
      served = InstrumentedResultSet.served(rs, wrapper, inst, slot, this);
      return served;
    }
    return InstrumentedResultSet.wrap(rs, wrapper, inst, slot);
  }

  /** {@code executeBatch} or {@code executeLargeBatch}. */
  Object executeBatch(int op) throws SQLException {
    StatementSlot slot = preparedSlot != null ? preparedSlot : batchSlot;
    long hash = batchHash;
    java.util.List<StatementKey> statements = batchKeys;
    served = null;
    servedPast = false;
    batchSlot = null;
    batchHash = 0;
    batchKeys = null;
    if (!inst.enabled() || slot == null) {
      return unmeasuredCall(op, null, null);
    }
    long start = inst.ticker.read();
    Object result;
    try {
      result =
          cache == null
              ? call(op, null, null)
              : Jdbc.call(
                  () ->
                      cache.executeBatch(
                          preparedSlot != null ? preparedSlot.key : null,
                          statements,
                          () -> call(op, null, null)));
    } catch (SQLException | RuntimeException | Error t) {
      inst.executed(slot, inst.ticker.read() - start, 0, t, lease, hash);
      throw t;
    }
    long rows = 0;
    if (result instanceof int[] counts) {
      for (int c : counts) {
        rows += Math.max(0, c);
      }
    } else if (result instanceof long[] counts) {
      for (long c : counts) {
        rows += Math.max(0, c);
      }
    }
    inst.executed(slot, inst.ticker.read() - start, rows, null, lease, hash);
    return result;
  }
}
