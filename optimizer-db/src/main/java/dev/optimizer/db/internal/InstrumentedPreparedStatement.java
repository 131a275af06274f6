package dev.optimizer.db.internal;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A measured {@link PreparedStatement}: its parameter values are kept while it lives. Adds to
 * {@link InstrumentedStatement}, whose Statement-level interceptions it inherits, what a prepared
 * statement has of its own: the {@code bound} hook of the parameter setters and the parameterless
 * executions. The work is the {@link StatementRecorder}'s; everything else goes straight to the
 * driver. The callable statement's wrapper extends this class.
 *
 * @param <S> the driver's statement type
 */
class InstrumentedPreparedStatement<S extends PreparedStatement>
    extends ForwardingPreparedStatement<S> {
  InstrumentedPreparedStatement(S delegate, StatementRecorder rec) {
    super(delegate, rec);
  }

  @Override
  protected void bound(Object position, Object value, boolean isNull, boolean plain) {
    rec.bound(position, value, isNull, plain);
  }

  @Override
  public void clearParameters() throws SQLException {
    rec.clearParameters();
    super.clearParameters();
  }

  @Override
  public void addBatch() throws SQLException {
    rec.addBatch();
    super.addBatch();
  }

  @Override
  public boolean execute() throws SQLException {
    return (Boolean) rec.execute(StatementRecorder.PREPARED_EXECUTE, null, null);
  }

  @Override
  public ResultSet executeQuery() throws SQLException {
    return (ResultSet) rec.execute(StatementRecorder.PREPARED_QUERY, null, null);
  }

  @Override
  public int executeUpdate() throws SQLException {
    return (Integer) rec.execute(StatementRecorder.PREPARED_UPDATE, null, null);
  }

  @Override
  public long executeLargeUpdate() throws SQLException {
    return (Long) rec.execute(StatementRecorder.PREPARED_LARGE_UPDATE, null, null);
  }
}
