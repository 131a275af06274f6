package dev.optimizer.samples;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Recommendation;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.StatementStats;
import dev.optimizer.db.cache.ResultCacheSettings;
import dev.optimizer.db.cache.ResultCacheStats;
import dev.optimizer.runtime.Optimizer;
import io.opentelemetry.api.OpenTelemetry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;

/**
 * optimizer-db on a real PostgreSQL (started from Maven's binaries, no Docker): a HikariCP pool
 * wrapped by {@link DbOptimizer}, a workload with an N+1 loop and a repeated read of a cached
 * table, then what the optimizer saw — the top statements, the N+1 recommendation with its call
 * site, and the result cache's counters.
 *
 * <p>Run: {@code ./mvnw -q -pl samples/plain-java -am package -DskipTests && java -cp
 * "samples/plain-java/target/classes:$(cat samples/plain-java/target/classpath.txt)"
 * dev.optimizer.samples.DbSample}
 */
public final class DbSample {
  private DbSample() {}

  /** What the optimizer saw. */
  public record Result(
      List<StatementStats> top, List<Recommendation> recommendations, ResultCacheStats cache) {}

  /** Runs the workload and prints what the optimizer saw. */
  public static void main(String[] args) throws Exception {
    Result r = run();
    System.out.println("Top statements by total time:");
    for (StatementStats s : r.top()) {
      System.out.printf("%5d calls %8.2f ms  %s%n", s.calls(), s.totalNanos() / 1e6, s.text());
    }
    for (Recommendation rec : r.recommendations()) {
      System.out.printf(
          "%nRecommendation %s: %s%n  %s%n", rec.kind(), rec.summary(), rec.evidence());
    }
    System.out.printf(
        "%nResult cache (products): %s, hit rate %.2f%n", r.cache(), r.cache().hitRate());
  }

  /** Starts PostgreSQL, runs the workload through the wrapped pool, and returns the findings. */
  public static Result run() throws Exception {
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
        HikariDataSource hikari = pool(postgres);
        Optimizer optimizer = Optimizer.builder().openTelemetry(OpenTelemetry.noop()).build()) {
      DbOptimizer db =
          DbOptimizer.builder(optimizer)
              .resultCache(ResultCacheSettings.builder().cacheTables("products").build())
              .build();
      DataSource ds = db.wrap(hikari);
      createShop(ds);
      db.insight().reset(); // count the workload, not the setup

      try (Connection c = ds.getConnection(); // N+1: one query per order for its customer
          PreparedStatement orders = c.prepareStatement("SELECT customer_id FROM orders");
          PreparedStatement customer =
              c.prepareStatement("SELECT name FROM customers WHERE id = ?");
          ResultSet order = orders.executeQuery()) {
        while (order.next()) {
          customer.setLong(1, order.getLong(1));
          customer.executeQuery().close();
        }
      }
      for (int i = 0; i < 200; i++) { // the same five products, read again and again
        try (Connection c = ds.getConnection();
            PreparedStatement product =
                c.prepareStatement("SELECT price FROM products WHERE id = ?")) {
          product.setLong(1, i % 5 + 1);
          product.executeQuery().close();
        }
      }
      return new Result(
          db.insight().topByTotalTime(5), optimizer.recommendations(), db.resultCacheStats());
    }
  }

  private static HikariDataSource pool(EmbeddedPostgres postgres) {
    HikariDataSource hikari = new HikariDataSource();
    hikari.setJdbcUrl(postgres.getJdbcUrl("postgres", "postgres"));
    hikari.setUsername("postgres");
    hikari.setPoolName("shop");
    hikari.setMaximumPoolSize(4);
    return hikari;
  }

  private static void createShop(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "CREATE TABLE customers (id bigint PRIMARY KEY, name text);"
              + "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint);"
              + "CREATE TABLE products (id bigint PRIMARY KEY, price numeric);"
              + "INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 20) g;"
              + "INSERT INTO orders SELECT g, g % 20 + 1 FROM generate_series(1, 20) g;"
              + "INSERT INTO products SELECT g, g * 10 FROM generate_series(1, 5) g");
    }
  }
}
