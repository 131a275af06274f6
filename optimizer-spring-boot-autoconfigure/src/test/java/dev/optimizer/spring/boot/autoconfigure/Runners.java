package dev.optimizer.spring.boot.autoconfigure;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Context runners over optimizer's auto-configurations, and small helpers the tests share. */
final class Runners {
  private static final AtomicInteger DATABASES = new AtomicInteger();

  static final AutoConfigurations ALL =
      AutoConfigurations.of(
          OptimizerAutoConfiguration.class,
          OptimizerDbAutoConfiguration.class,
          OptimizerHttpAutoConfiguration.class,
          OptimizerAiAutoConfiguration.class,
          OptimizerEndpointAutoConfiguration.class);

  private Runners() {}

  /** A runner with every optimizer auto-configuration, tuning at a slow tick. */
  static ApplicationContextRunner runner() {
    return new ApplicationContextRunner().withConfiguration(ALL);
  }

  /** Waits (at most 10 s, polling every 2 ms) until {@code condition} holds. */
  static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
    }
  }

  /** A HikariCP pool over the named in-memory H2 database, shared by every pool naming it. */
  static HikariDataSource hikari(String database) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl("jdbc:h2:mem:" + database + ";DB_CLOSE_DELAY=-1");
    c.setUsername("sa");
    c.setMaximumPoolSize(4);
    c.setPoolName("starter-test-" + DATABASES.incrementAndGet());
    return new HikariDataSource(c);
  }

  /** A HikariCP pool over a fresh in-memory H2 database (not started until first used). */
  static HikariDataSource hikari() {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl("jdbc:h2:mem:starter" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
    c.setUsername("sa");
    c.setMaximumPoolSize(4);
    c.setPoolName("starter-test-" + DATABASES.get());
    return new HikariDataSource(c);
  }
}
