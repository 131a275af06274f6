package dev.optimizer.db.internal;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import javax.sql.DataSource;

/**
 * HikariCP's view of its pool, through its MXBeans. Loaded only when HikariCP is on the class path
 * (it is an optional dependency), so nothing else in this module names its classes.
 */
final class HikariPoolView implements PoolView {
  /** HikariCP's VM-wide pool counter (see {@code HikariConfig.generatePoolName}). */
  private static final String POOL_NUMBER = "com.zaxxer.hikari.pool_number";

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
    return nameOf(hikari);
  }

  /**
   * The pool's name. A pool that has not started may have none yet (HikariCP names it when it
   * starts); then it is given now the name HikariCP would give it, from HikariCP's own VM-wide
   * counter, so that telemetry, knobs and HikariCP's logs all use one name.
   */
  static String nameOf(HikariDataSource hikari) {
    String name = hikari.getPoolName();
    if (name != null) {
      return name;
    }
    synchronized (System.getProperties()) {
      name = hikari.getPoolName();
      if (name == null) {
        int next = Integer.getInteger(POOL_NUMBER, 0) + 1;
        System.setProperty(POOL_NUMBER, String.valueOf(next));
        name = "HikariPool-" + next;
        hikari.setPoolName(name);
      }
      return name;
    }
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
