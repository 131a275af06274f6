package dev.optimizer.db.internal;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The DataSource {@code DbOptimizer.wrap} returns: connections come from the delegate, wrapped so
 * that their statements are measured. Everything else is the delegate's behaviour, exceptions
 * included; {@code unwrap} reaches the delegate (a HikariDataSource, say). Closing it releases what
 * the wrapper owns (its instruments) and never the delegate, which belongs to the application.
 */
public final class InstrumentedDataSource implements DataSource, AutoCloseable {
  private final DataSource delegate;
  private final Instrumentation inst;
  private final AutoCloseable owned;
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** Wraps a delegate; {@code owned} is closed by {@link #close()}. */
  public InstrumentedDataSource(DataSource delegate, Instrumentation inst, AutoCloseable owned) {
    this.delegate = delegate;
    this.inst = inst;
    this.owned = owned;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return lease(null, null, false);
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return lease(username, password, true);
  }

  private Connection lease(String user, String password, boolean withCredentials)
      throws SQLException {
    if (!inst.enabled()) {
      Connection raw =
          withCredentials ? delegate.getConnection(user, password) : delegate.getConnection();
      resolveDialect(raw);
      // With a result cache, even an unmeasured connection is wrapped: its writes must still
      // invalidate what the cache holds.
      if (inst.resultCache() == null) {
        return raw;
      }
      return InstrumentedConnection.unmeasured(raw, inst);
    }
    long start = inst.ticker.read();
    Connection c;
    try {
      c = withCredentials ? delegate.getConnection(user, password) : delegate.getConnection();
    } catch (SQLTransientConnectionException e) {
      inst.telemetry.timedOut(); // HikariCP's "Connection is not available, request timed out"
      inst.leaseFailed(inst.ticker.read() - start);
      throw e;
    }
    long acquired = inst.ticker.read();
    inst.waited(acquired - start);
    resolveDialect(c);
    inst.leaseStarted();
    return new InstrumentedConnection(c, inst, start, acquired);
  }

  /**
   * Learns what database this is (system and dialect) from the first connection when the delegate's
   * JDBC URL did not say it; a volatile read afterwards.
   */
  private void resolveDialect(Connection c) {
    inst.identity.learn(c);
  }

  /** The wrapped data source. */
  public DataSource delegate() {
    return delegate;
  }

  /** The shared instrumentation state. */
  public Instrumentation instrumentation() {
    return inst;
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return delegate.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    delegate.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    delegate.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return delegate.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return delegate.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface == DataSource.class) {
      // Tools that look for the pool behind wrappers unwrap to DataSource until the answer is the
      // object asked: Spring Boot's DataSourceBuilder.derivedFrom, which Flyway, Liquibase and SQL
      // initialization use to connect with their own user, reads the URL from what it reaches, and
      // this wrapper has none. Everything else (isWrapperFor, the pool's own type) is unchanged.
      return iface.cast(delegate);
    }
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    if (iface.isInstance(delegate)) {
      return iface.cast(delegate);
    }
    return delegate.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || iface.isInstance(delegate) || delegate.isWrapperFor(iface);
  }

  /** Releases the wrapper's own resources; the delegate stays open. Idempotent. */
  @Override
  public void close() throws Exception {
    // Once only: the second close of a wrapper must not unregister the knob of a later wrapper of
    // the same pool (knobs are registered by the pool's name).
    if (closed.compareAndSet(false, true)) {
      owned.close();
    }
  }

  @Override
  public String toString() {
    return "Optimized[" + delegate + "]";
  }
}
