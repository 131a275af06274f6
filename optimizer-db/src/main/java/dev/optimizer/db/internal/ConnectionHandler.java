package dev.optimizer.db.internal;

import dev.optimizer.db.cache.internal.LeaseCache;
import dev.optimizer.db.cache.internal.ResultCache;
import java.lang.reflect.Method;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;

/**
 * Wraps the statements a connection creates, and measures how long the lease lasts. One lease is
 * one connection proxy, from {@code getConnection()} to {@code close()}: the scope of N+1
 * detection.
 */
final class ConnectionHandler extends JdbcHandler {
  private final Instrumentation inst;
  private final Lease lease;
  private final long askedAt;
  private final long acquiredAt;
  private final LeaseCache cache;
  private boolean closed;

  ConnectionHandler(Connection delegate, Instrumentation inst, long askedAt) {
    super(delegate);
    this.inst = inst;
    this.lease = new Lease(inst.nPlusOneThreshold);
    this.askedAt = askedAt;
    this.acquiredAt = inst.ticker.read();
    ResultCache resultCache = inst.resultCache();
    this.cache = resultCache == null ? null : resultCache.lease((Connection) delegate);
  }

  /** A prepared or callable statement, fingerprinted once here, at prepare time. */
  private Object prepared(
      Class<? extends Statement> type, Object proxy, Method method, Object[] args)
      throws Throwable {
    String sql = (String) args[0];
    StatementKey key = inst.enabled() && sql != null ? inst.fingerprint(sql) : null;
    return Proxies.proxy(
        type,
        new StatementHandler(
            (Statement) Proxies.call(delegate, method, args), proxy, inst, lease, key, sql, cache));
  }

  @Override
  Object handle(Object proxy, Method method, Object[] args) throws Throwable {
    switch (method.getName()) {
      case "createStatement":
        return Proxies.proxy(
            Statement.class,
            new StatementHandler(
                (Statement) Proxies.call(delegate, method, args),
                proxy,
                inst,
                lease,
                null,
                null,
                cache));
      case "prepareStatement":
        return prepared(PreparedStatement.class, proxy, method, args);
      case "prepareCall":
        return prepared(CallableStatement.class, proxy, method, args);
      case "close":
        boolean first;
        synchronized (this) {
          first = !closed;
          if (first) {
            closed = true;
            long now = inst.ticker.read();
            inst.telemetry.used(now - acquiredAt);
            inst.leaseCompleted(now - askedAt);
          }
        }
        Object result = Proxies.call(delegate, method, args);
        if (first) {
          if (cache != null) {
            cache.closed();
          }
          inst.returned((Connection) delegate);
        }
        return result;
      default:
        return cache == null
            ? Proxies.call(delegate, method, args)
            : cache.connectionCall(
                method.getName(), args, () -> Proxies.call(delegate, method, args));
    }
  }
}
