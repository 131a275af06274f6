package dev.optimizer.db.internal;

import java.sql.CallableStatement;

/**
 * A measured {@link CallableStatement}: its parameter values, by position or name, are kept while
 * it lives. Everything it intercepts it inherits from {@link InstrumentedPreparedStatement} and
 * {@link InstrumentedStatement}; the generated {@code ForwardingCallableStatement} below it sends
 * the rest of CallableStatement straight to the driver, its named setters through {@code bound}.
 */
final class InstrumentedCallableStatement extends ForwardingCallableStatement<CallableStatement> {
  InstrumentedCallableStatement(CallableStatement delegate, StatementRecorder rec) {
    super(delegate, rec);
  }
}
