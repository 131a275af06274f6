package dev.optimizer.db.internal;

import dev.optimizer.db.internal.jdbc.ForwardingResultSet;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Counts the rows a result set hands out, adding them to its statement's statistics when the result
 * set is exhausted or closed; {@code getStatement()} returns the wrapping statement. A result set
 * the result cache answered with also tells its statement when it is closed ({@code
 * closeOnCompletion}).
 */
final class InstrumentedResultSet extends ForwardingResultSet {
  private final Statement statement;
  private final Instrumentation inst;
  private final StatementSlot slot;
  private final StatementRecorder served; // the statement of a result set the cache answered
  private long rows;
  private boolean flushed;

  private InstrumentedResultSet(
      ResultSet delegate,
      Statement statement,
      Instrumentation inst,
      StatementSlot slot,
      StatementRecorder served) {
    super(delegate);
    this.statement = statement;
    this.inst = inst;
    this.slot = slot;
    this.served = served;
  }

  /** Wraps a result set; null stays null. Rows are counted only when {@code slot} is given. */
  static ResultSet wrap(
      ResultSet rs, Statement statement, Instrumentation inst, StatementSlot slot) {
    return rs == null ? null : new InstrumentedResultSet(rs, statement, inst, slot, null);
  }

  /**
   * Wraps a result set the result cache answered {@code recorder}'s statement with: its closing is
   * the statement's to know.
   */
  static InstrumentedResultSet served(
      ResultSet rs,
      Statement statement,
      Instrumentation inst,
      StatementSlot slot,
      StatementRecorder recorder) {
    return new InstrumentedResultSet(rs, statement, inst, slot, recorder);
  }

  @Override
  public boolean next() throws SQLException {
    boolean more = delegate.next();
    if (more) {
      rows++;
    } else {
      flush();
    }
    return more;
  }

  @Override
  public Statement getStatement() throws SQLException {
    return statement != null ? statement : delegate.getStatement();
  }

  @Override
  public void close() throws SQLException {
    flush();
    delegate.close();
    if (served != null) {
      served.servedClosed(this);
    }
  }

  private void flush() {
    if (!flushed && slot != null) {
      flushed = true;
      inst.addRows(slot, rows);
    }
  }
}
