package dev.optimizer.db.internal;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import javax.sql.DataSource;

/**
 * HikariCP's view of its pool, through its MXBeans. Loaded only when HikariCP is on the class path
 * (it is an optional dependency), so nothing else in this module names its classes.
 */
final class HikariPoolView implements PoolView {
  private final HikariDataSource hikari;

  private HikariPoolView(HikariDataSource hikari) {
    this.hikari = hikari;
  }

  /** A view of the data source's Hikari pool, or null when it is not one. */
  static HikariPoolView of(DataSource ds) {
    try {
      if (ds.isWrapperFor(HikariDataSource.class)) {
        return new HikariPoolView(ds.unwrap(HikariDataSource.class));
      }
    } catch (java.sql.SQLException e) {
      // isWrapperFor/unwrap failing means "not a Hikari pool" for our purposes.
      return null;
    }
    return null;
  }

  HikariDataSource hikari() {
    return hikari;
  }

  String poolName() {
    return hikari.getPoolName();
  }

  private HikariPoolMXBean bean() {
    return hikari.getHikariPoolMXBean(); // null until the pool has started
  }

  @Override
  public long idle() {
    HikariPoolMXBean b = bean();
    return b == null ? 0 : b.getIdleConnections();
  }

  @Override
  public long used() {
    HikariPoolMXBean b = bean();
    return b == null ? 0 : b.getActiveConnections();
  }

  @Override
  public long max() {
    return hikari.getMaximumPoolSize();
  }

  @Override
  public long pending() {
    HikariPoolMXBean b = bean();
    return b == null ? 0 : b.getThreadsAwaitingConnection();
  }
}
