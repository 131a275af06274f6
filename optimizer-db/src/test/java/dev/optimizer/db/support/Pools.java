package dev.optimizer.db.support;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/** HikariCP pools on the test servers. */
final class Pools {
  private Pools() {}

  /** A new pool on {@code jdbcUrl} with the given name and maximum size. */
  static HikariDataSource hikari(
      String jdbcUrl, String user, String password, String poolName, int maximumPoolSize) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(user);
    config.setPassword(password);
    config.setPoolName(poolName);
    config.setMaximumPoolSize(maximumPoolSize);
    return new HikariDataSource(config);
  }
}
