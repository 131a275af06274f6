package dev.optimizer.db.internal;

import dev.optimizer.db.cache.internal.LeaseCache;
import java.lang.reflect.Method;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * Times every execution of a {@link Statement}, {@code PreparedStatement} or {@code
 * CallableStatement} and records it under its fingerprint. Bound parameter values are kept only
 * while the statement lives (to tell N+1 loops from repeated identical calls) and never recorded.
 * Everything else passes straight to the driver; exceptions are rethrown unchanged.
 */
final class StatementHandler extends JdbcHandler {
  private final Object connectionProxy;
  private final Instrumentation inst;
  private final Lease lease;
  private final StatementKey preparedKey;
  private final String preparedSql;
  private final BoundParameters parameters = new BoundParameters();
  private final LeaseCache cache;
  private boolean unplainParameters; // a value bound with a calendar or a scale: not cached
  private StatementKey batchKey;
  private long batchHash;

  StatementHandler(
      Statement delegate,
      Object connectionProxy,
      Instrumentation inst,
      Lease lease,
      StatementKey preparedKey,
      String preparedSql,
      LeaseCache cache) {
    super(delegate);
    this.cache = cache;
    this.connectionProxy = connectionProxy;
    this.inst = inst;
    this.lease = lease;
    this.preparedKey = preparedKey;
    this.preparedSql = preparedSql;
  }

  @Override
  Object handle(Object proxy, Method method, Object[] args) throws Throwable {
    String name = method.getName();
    switch (name) {
      case "getConnection":
        return connectionProxy;
      case "execute":
      case "executeQuery":
      case "executeUpdate":
      case "executeLargeUpdate":
        return execute(proxy, method, args);
      case "executeBatch":
      case "executeLargeBatch":
        return executeBatch(method, args);
      case "addBatch":
        if (args != null && args.length == 1 && args[0] instanceof String sql) {
          if (batchKey == null && inst.enabled()) {
            batchKey = inst.fingerprint(sql);
          }
        } else {
          batchHash = 31 * batchHash + parameters.hash();
        }
        return Proxies.call(delegate, method, args);
      case "clearBatch":
        batchKey = null;
        batchHash = 0;
        return Proxies.call(delegate, method, args);
      case "clearParameters":
        parameters.clear();
        unplainParameters = false;
        return Proxies.call(delegate, method, args);
      case "getResultSet":
      case "getGeneratedKeys":
        ResultSet rs = (ResultSet) Proxies.call(delegate, method, args);
        return ResultSetHandler.wrap(rs, proxy, inst, null);
      default:
        if (preparedKey != null && name.startsWith("set") && args != null && args.length >= 2) {
          // A parameter: keep its value so that N+1 detection can tell values apart.
          parameters.set(args[0], args[1], name.equals("setNull"));
          unplainParameters |=
              args.length > 3
                  || args.length == 3 && !name.startsWith("setObject") && !name.equals("setNull");
        }
        return Proxies.call(delegate, method, args);
    }
  }

  private Object execute(Object proxy, Method method, Object[] args) throws Throwable {
    if (!inst.enabled()) {
      Object result =
          cache == null
              ? Proxies.call(delegate, method, args)
              : cache.unseen(() -> Proxies.call(delegate, method, args));
      return result instanceof ResultSet rs ? ResultSetHandler.wrap(rs, proxy, inst, null) : result;
    }
    StatementKey key;
    long hash;
    String text;
    boolean prepared = false;
    if (args != null && args.length >= 1 && args[0] instanceof String sql) {
      key = inst.fingerprint(sql);
      hash = sql.hashCode();
      text = sql;
    } else {
      key = preparedKey;
      hash = parameters.hash();
      text = preparedSql;
      prepared = true;
    }
    if (key == null) {
      return cache == null
          ? Proxies.call(delegate, method, args)
          : cache.unseen(() -> Proxies.call(delegate, method, args));
    }
    long start = inst.ticker.read();
    Object result;
    try {
      result =
          cache == null
              ? Proxies.call(delegate, method, args)
              : cache.execute(
                  (Statement) delegate,
                  method.getName(),
                  key,
                  text,
                  prepared ? parameters : null,
                  !unplainParameters,
                  () -> Proxies.call(delegate, method, args));
    } catch (Throwable t) {
      inst.executed(key, inst.ticker.read() - start, 0, t, lease, hash);
      throw t;
    }
    long rows =
        result instanceof Integer i
            ? Math.max(0, i)
            : result instanceof Long l ? Math.max(0, l) : 0;
    long nanos = inst.ticker.read() - start;
    inst.executed(key, nanos, rows, null, lease, hash);
    inst.sample(key, text, prepared ? parameters : null, nanos);
    inst.singleWrite(key, lease, (Statement) delegate);
    return result instanceof ResultSet rs ? ResultSetHandler.wrap(rs, proxy, inst, key) : result;
  }

  private Object executeBatch(Method method, Object[] args) throws Throwable {
    StatementKey key = preparedKey != null ? preparedKey : batchKey;
    long hash = batchHash;
    batchKey = null;
    batchHash = 0;
    if (!inst.enabled() || key == null) {
      return cache == null
          ? Proxies.call(delegate, method, args)
          : cache.unseen(() -> Proxies.call(delegate, method, args));
    }
    long start = inst.ticker.read();
    Object result;
    try {
      result =
          cache == null
              ? Proxies.call(delegate, method, args)
              : cache.executeBatch(
                  preparedKey != null ? preparedKey : null,
                  () -> Proxies.call(delegate, method, args));
    } catch (Throwable t) {
      inst.executed(key, inst.ticker.read() - start, 0, t, lease, hash);
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
    inst.executed(key, inst.ticker.read() - start, rows, null, lease, hash);
    return result;
  }
}
