package dev.optimizer.db.internal;

import java.lang.reflect.Method;
import java.sql.ResultSet;

/**
 * Counts the rows a result set hands out, adding them to its statement's statistics when the result
 * set is exhausted or closed; {@code getStatement()} returns the wrapping statement.
 */
final class ResultSetHandler extends JdbcHandler {
  private final Object statementProxy;
  private final Instrumentation inst;
  private final StatementKey key;
  private long rows;
  private boolean flushed;

  private ResultSetHandler(
      ResultSet delegate, Object statementProxy, Instrumentation inst, StatementKey key) {
    super(delegate);
    this.statementProxy = statementProxy;
    this.inst = inst;
    this.key = key;
  }

  /** Wraps a result set; null stays null. Rows are counted only when {@code key} is given. */
  static ResultSet wrap(
      ResultSet rs, Object statementProxy, Instrumentation inst, StatementKey key) {
    if (rs == null) {
      return null;
    }
    return Proxies.proxy(ResultSet.class, new ResultSetHandler(rs, statementProxy, inst, key));
  }

  @Override
  Object handle(Object proxy, Method method, Object[] args) throws Throwable {
    switch (method.getName()) {
      case "next":
        boolean more = (boolean) Proxies.call(delegate, method, args);
        if (more) {
          rows++;
        } else {
          flush();
        }
        return more;
      case "getStatement":
        return statementProxy != null ? statementProxy : Proxies.call(delegate, method, args);
      case "close":
        flush();
        return Proxies.call(delegate, method, args);
      default:
        return Proxies.call(delegate, method, args);
    }
  }

  private void flush() {
    if (!flushed && key != null) {
      flushed = true;
      inst.table.addRows(inst.table.effectiveKey(key), rows);
    }
  }
}
