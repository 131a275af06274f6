package dev.optimizer.benchmarks.db;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Mode;
import dev.optimizer.benchmarks.Scenario;
import dev.optimizer.benchmarks.ScenarioResult;
import dev.optimizer.benchmarks.ScenarioResult.Target;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.advisor.AdvisorReport;
import dev.optimizer.db.advisor.AdvisorSettings;
import dev.optimizer.db.advisor.AppliedIndex;
import dev.optimizer.db.advisor.ApplyReport;
import dev.optimizer.db.advisor.IndexAdvisor;
import dev.optimizer.db.advisor.IndexRecommendation;
import dev.optimizer.db.advisor.internal.Plan;
import dev.optimizer.runtime.Optimizer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import javax.sql.DataSource;

/**
 * db-index-advisor: an online shop (customers, products, orders, order lines; 1.11M rows) with
 * primary keys only, and a workload of 14 statement shapes: lookups by foreign key and by email,
 * date ranges, top-N with ORDER BY, joins, two low-selectivity filters that must not get indexes,
 * and writes. The workload runs, the advisor (sandbox evaluation: the embedded server has no
 * HypoPG) recommends, its indexes are applied as judged trials, and the same workload runs again.
 */
public final class DbIndexAdvisorScenario implements Scenario {
  private static final Set<String> LOW_SELECTIVITY = Set.of("status", "country", "active");
  private static final LocalDateTime EPOCH = LocalDateTime.of(2024, 1, 1, 0, 0);

  private static final int CUSTOMERS = 100_000;
  private static final int PRODUCTS = 10_000;
  private static final int ORDERS = 300_000;
  private static final int LINES = 700_000;

  /** Ids of the order lines the workload inserts, unique across its runs. */
  private final java.util.concurrent.atomic.AtomicLong nextLine =
      new java.util.concurrent.atomic.AtomicLong(LINES + 1);

  @Override
  public String name() {
    return "db-index-advisor";
  }

  @Override
  public String description() {
    return "index advisor on a generated shop (1.11M rows, primary keys only, 14 statement"
        + " shapes): workload time before and after applying its recommendations";
  }

  @Override
  public ScenarioResult run(boolean quick) throws Exception {
    ScenarioResult r = new ScenarioResult();
    int rounds = quick ? 16 : 40;
    try (Postgres pg = new Postgres("256MB");
        HikariDataSource hikari = pg.pool("advisor", 4);
        Optimizer optimizer = Optimizer.builder().manualTuning().mode(Mode.RECOMMEND).build()) {
      long t0 = System.nanoTime();
      pg.execute(schema());
      double setupSeconds = (System.nanoTime() - t0) / 1e9;
      DbOptimizer db =
          DbOptimizer.builder(optimizer)
              .poolSizing(false)
              .indexAdvisor(true)
              .samplesPerStatement(3)
              .build();
      DataSource ds = db.wrap(hikari);

      workload(ds, 2, 99); // warm the buffer cache
      long before = workload(ds, rounds, 1);

      IndexAdvisor advisor =
          db.indexAdvisor(
              ds,
              AdvisorSettings.builder()
                  .allowSandbox(true)
                  .allowApply(true)
                  .maxIndexes(10)
                  .validationRuns(8)
                  .build());
      long a0 = System.nanoTime();
      AdvisorReport report = advisor.analyze();
      double analyzeSeconds = (System.nanoTime() - a0) / 1e9;
      long p0 = System.nanoTime();
      ApplyReport applied = advisor.apply(report);
      double applySeconds = (System.nanoTime() - p0) / 1e9;

      workload(ds, 2, 98);
      long after = workload(ds, rounds, 1);

      Set<String> used = indexesUsed(hikari);
      List<IndexRecommendation> recs = report.recommendations();
      long useful = recs.stream().filter(x -> used.contains(x.indexName())).count();
      long bad =
          recs.stream()
              .filter(x -> x.keyColumns().stream().anyMatch(LOW_SELECTIVITY::contains))
              .count();

      r.baseline("workload time (ms)", before / 1e6);
      r.optimized("workload time (ms)", after / 1e6);
      r.optimized("recommendations", recs.size());
      r.optimized("kept", applied.count(AppliedIndex.Outcome.KEPT));
      r.optimized("reverted", applied.count(AppliedIndex.Outcome.REVERTED));
      r.optimized("failed", applied.count(AppliedIndex.Outcome.FAILED));
      r.optimized("analyze (s)", analyzeSeconds);
      r.optimized("apply + validation (s)", applySeconds);
      r.ratio("workload_time_ratio", (double) after / before, Target.atMost(0.2));
      r.ratio("recommendations", recs.size());
      r.ratio(
          "useful_fraction", recs.isEmpty() ? 0 : (double) useful / recs.size(), Target.atLeast(1));
      r.ratio("bad_recommendations", bad, Target.atMost(0));
      r.ratio("reverted", applied.count(AppliedIndex.Outcome.REVERTED));
      r.note(
          "data",
          CUSTOMERS
              + " customers, "
              + PRODUCTS
              + " products, "
              + ORDERS
              + " orders, "
              + LINES
              + " order lines; generated in "
              + String.format("%.1f s", setupSeconds));
      r.note(
          "workload",
          rounds + " rounds of 14 statement shapes, the two low-selectivity ones in every round");
      r.note("evaluation", report.method() + " (embedded PostgreSQL has no HypoPG)");
      r.extra(
          "indexes",
          applied.indexes().stream()
              .map(a -> a.recommendation().ddl() + " -> " + a.outcome() + " (" + a.reason() + ")")
              .toList());
      r.extra("advisor_notes", report.notes());
    }
    return r;
  }

  private static String[] schema() {
    return new String[] {
      "CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, name text NOT NULL,"
          + " country text NOT NULL, active boolean NOT NULL, created_at timestamp NOT NULL)",
      "INSERT INTO customers SELECT g, 'user' || g || '@shop.example', 'Customer ' || g,"
          + " (ARRAY['de','fr','us','uk','es','it','nl','pl'])[1 + g % 8], g % 10 <> 0,"
          + " timestamp '2024-01-01' + (g * 5 || ' minutes')::interval"
          + " FROM generate_series(1, "
          + CUSTOMERS
          + ") g",
      "CREATE TABLE products (id bigint PRIMARY KEY, name text NOT NULL, category_id int NOT"
          + " NULL, price numeric(10,2) NOT NULL)",
      "INSERT INTO products SELECT g, 'Product ' || g, 1 + g % 500, 1 + (g * 37 % 10000) / 100.0"
          + " FROM generate_series(1, "
          + PRODUCTS
          + ") g",
      "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, status text NOT"
          + " NULL, created_at timestamp NOT NULL, total numeric(10,2) NOT NULL)",
      "INSERT INTO orders SELECT g, 1 + (g::bigint * 7919) % "
          + CUSTOMERS
          + ","
          + " (ARRAY['new','paid','packed','shipped','delivered'])[1 + g % 5],"
          + " timestamp '2024-01-01' + (g || ' minutes')::interval, (g % 1000) + 0.5"
          + " FROM generate_series(1, "
          + ORDERS
          + ") g",
      "CREATE TABLE order_lines (id bigint PRIMARY KEY, order_id bigint NOT NULL, product_id"
          + " bigint NOT NULL, quantity int NOT NULL, price numeric(10,2) NOT NULL)",
      "INSERT INTO order_lines SELECT g, 1 + (g::bigint * 3) % "
          + ORDERS
          + ", 1 + (g::bigint * 104729) % "
          + PRODUCTS
          + ", 1 + g % 4, 9.99 FROM generate_series(1, "
          + LINES
          + ") g",
      "ANALYZE"
    };
  }

  /** Runs the 14 shapes {@code rounds} times; returns the total time spent in statements. */
  private long workload(DataSource ds, int rounds, int seed) throws Exception {
    Random rnd = new Random(seed);
    long nanos = 0;
    try (Connection c = ds.getConnection()) {
      for (int i = 0; i < rounds; i++) {
        long customer = 1 + rnd.nextInt(CUSTOMERS);
        long order = 1 + rnd.nextInt(ORDERS);
        long product = 1 + rnd.nextInt(PRODUCTS);
        LocalDateTime from = EPOCH.plusMinutes(rnd.nextInt(ORDERS));
        nanos +=
            q(
                c,
                "SELECT id, name FROM customers WHERE email = ?",
                "user" + customer + "@shop.example");
        nanos +=
            q(
                c,
                "SELECT id, created_at, total FROM orders WHERE customer_id = ?"
                    + " ORDER BY created_at DESC LIMIT 10",
                customer);
        nanos +=
            q(c, "SELECT product_id, quantity, price FROM order_lines WHERE order_id = ?", order);
        nanos +=
            q(
                c,
                "SELECT count(*), sum(total) FROM orders WHERE created_at >= ? AND created_at < ?",
                Timestamp.valueOf(from),
                Timestamp.valueOf(from.plusHours(2)));
        nanos +=
            q(
                c,
                "SELECT o.id, o.total FROM orders o JOIN customers c ON c.id = o.customer_id"
                    + " WHERE c.email = ?",
                "user" + (1 + rnd.nextInt(CUSTOMERS)) + "@shop.example");
        nanos +=
            q(
                c,
                "SELECT p.name, l.quantity FROM order_lines l JOIN products p ON p.id ="
                    + " l.product_id WHERE l.order_id = ?",
                1 + rnd.nextInt(ORDERS));
        nanos += q(c, "SELECT count(*) FROM order_lines WHERE product_id = ?", product);
        nanos +=
            q(
                c,
                "SELECT id, email FROM customers WHERE created_at > ? ORDER BY created_at LIMIT 20",
                Timestamp.valueOf(EPOCH.plusMinutes(5L * rnd.nextInt(CUSTOMERS))));
        nanos +=
            q(
                c,
                "SELECT id, name, price FROM products WHERE category_id = ? ORDER BY price LIMIT 10",
                1 + rnd.nextInt(500));
        nanos +=
            q(
                c,
                "SELECT id, total FROM orders WHERE customer_id = ? AND status = ?",
                customer,
                "paid");
        // Low selectivity: five statuses, eight countries; an index would not pay. They run in
        // every round, as the workload was first written (running them less often would lower
        // the ratio, but then the workload would have been tuned to the target).
        nanos += q(c, "SELECT count(*) FROM orders WHERE status = ?", "shipped");
        nanos +=
            q(c, "SELECT count(*) FROM customers WHERE country = ? AND active = ?", "de", true);
        nanos += u(c, "UPDATE orders SET status = ? WHERE id = ?", "packed", order);
        nanos +=
            u(
                c,
                "INSERT INTO order_lines (id, order_id, product_id, quantity, price)"
                    + " VALUES (?, ?, ?, ?, ?)",
                nextLine.getAndIncrement(),
                order,
                product,
                1,
                new java.math.BigDecimal("9.99"));
      }
    }
    return nanos;
  }

  private static long q(Connection c, String sql, Object... values) throws Exception {
    long t0 = System.nanoTime();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        ps.setObject(i + 1, values[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          // read every row
        }
      }
    }
    return System.nanoTime() - t0;
  }

  private static long u(Connection c, String sql, Object... values) throws Exception {
    long t0 = System.nanoTime();
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < values.length; i++) {
        ps.setObject(i + 1, values[i]);
      }
      ps.executeUpdate();
    }
    return System.nanoTime() - t0;
  }

  /** Indexes used by the plan of some workload statement (EXPLAIN, representative values). */
  private static Set<String> indexesUsed(DataSource raw) throws Exception {
    String[] explains = {
      "SELECT id, name FROM customers WHERE email = 'user77@shop.example'",
      "SELECT id, created_at, total FROM orders WHERE customer_id = 77 ORDER BY created_at DESC"
          + " LIMIT 10",
      "SELECT product_id, quantity, price FROM order_lines WHERE order_id = 77",
      "SELECT count(*), sum(total) FROM orders WHERE created_at >= '2024-02-01' AND created_at <"
          + " '2024-02-01 02:00'",
      "SELECT o.id, o.total FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.email"
          + " = 'user77@shop.example'",
      "SELECT p.name, l.quantity FROM order_lines l JOIN products p ON p.id = l.product_id WHERE"
          + " l.order_id = 77",
      "SELECT count(*) FROM order_lines WHERE product_id = 77",
      "SELECT id, email FROM customers WHERE created_at > '2024-03-01' ORDER BY created_at LIMIT"
          + " 20",
      "SELECT id, name, price FROM products WHERE category_id = 77 ORDER BY price LIMIT 10",
      "SELECT id, total FROM orders WHERE customer_id = 77 AND status = 'paid'",
      "SELECT count(*) FROM orders WHERE status = 'shipped'",
      "SELECT count(*) FROM customers WHERE country = 'de' AND active",
      "UPDATE orders SET status = 'packed' WHERE id = 77",
    };
    Set<String> used = new HashSet<>();
    try (Connection c = raw.getConnection();
        java.sql.Statement s = c.createStatement()) {
      for (String sql : explains) {
        try (ResultSet rs = s.executeQuery("EXPLAIN (FORMAT JSON) " + sql)) {
          rs.next();
          used.addAll(Plan.parse(rs.getString(1)).indexesUsed());
        }
      }
    }
    return used;
  }
}
