package dev.optimizer.db.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.db.support.SystemPostgres;
import dev.optimizer.db.support.UnnamedDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The advisor's HypoPG path on the machine's PostgreSQL 15 with {@code postgresql-15-hypopg}
 * (installed by {@code .ci/run}); skipped, with the reason, only where those packages are absent.
 */
class HypoPgAdvisorTest {
  static SystemPostgres server;
  static ShopFixture shop;

  @BeforeAll
  static void setUp() throws Exception {
    String missing = SystemPostgres.unavailableReason();
    Assumptions.assumeTrue(missing == null, missing);
    server = SystemPostgres.start();
    shop = new ShopFixture(server.jdbcUrl("postgres"), server::jdbcUrl, "advisor_hypopg");
    try (Connection c = shop.pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE EXTENSION hypopg");
      s.execute("CREATE EXTENSION pg_stat_statements");
    }
    shop.runWorkload(20);
  }

  @AfterAll
  static void tearDown() {
    if (shop != null) {
      shop.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void hypotheticalIndexesGiveTheSameAdviceWithoutBuildingAnything() throws Exception {
    // Without allowSandbox: HypoPG needs no permission to build, it builds nothing.
    AdvisorReport report = shop.db.indexAdvisor(shop.wrapped, AdvisorSettings.defaults()).analyze();

    assertThat(report.method()).isEqualTo("hypopg");
    assertThat(report.recommendations())
        .extracting(r -> r.table() + r.keyColumns())
        .contains("customers[email]")
        .anyMatch(s -> s.startsWith("orders[customer_id"));
    assertThat(report.recommendations())
        .flatExtracting(IndexRecommendation::keyColumns)
        .doesNotContain("status", "country", "active");
    assertThat(report.recommendations())
        .allSatisfy(r -> assertThat(r.estimatedBytes()).isPositive())
        .allSatisfy(r -> assertThat(r.statements()).isNotEmpty());
    assertThat(shop.indexes()).containsExactly("customers_pkey", "orders_pkey");
  }

  @Test
  void pgStatStatementsAddsWhatOtherClientsRan() throws Exception {
    try (Connection raw = shop.pool.getConnection();
        Statement s = raw.createStatement()) {
      // Not through the wrapper: only pg_stat_statements sees it.
      try (ResultSet rs = s.executeQuery("SELECT total FROM orders WHERE total > 498.5")) {
        while (rs.next()) {
          // drain
        }
      }
    }
    AdvisorReport report = shop.db.indexAdvisor(shop.wrapped, AdvisorSettings.defaults()).analyze();

    assertThat(report.notes())
        .anyMatch(
            n ->
                n.contains("only in pg_stat_statements")
                    && n.contains("SELECT total FROM orders WHERE total > $1"));
  }

  @Test
  void aDataSourceThatNamesNoDatabaseIsMatchedWithPgStatStatementsInPostgresqlsDialect()
      throws Exception {
    // Its class says nothing of PostgreSQL: the wrapper lexes its statements as PostgreSQL once
    // its first connection says so, and the advisor must read pg_stat_statements' texts the same
    // way (a nested comment ends at its second */ only there), or it takes the wrapper's own
    // statement for one only other clients ran.
    DataSource plain = new UnnamedDataSource(shop.jdbcUrl, "postgres", "postgres");
    DataSource wrapped = shop.db.wrap(plain);
    try (Connection c = wrapped.getConnection()) {
      for (int i = 0; i < 3; i++) {
        ShopFixture.query(
            c, "SELECT count(*) FROM orders /* nested /* comment */ here */ WHERE total > ?", 1.5);
      }
    }
    AdvisorReport report = shop.db.indexAdvisor(wrapped, AdvisorSettings.defaults()).analyze();

    assertThat(report.notes()).noneMatch(n -> n.contains("nested"));
  }

  @Test
  void appliedIndexesAreKeptAndUsed() throws Exception {
    IndexAdvisor advisor =
        shop.db.indexAdvisor(
            shop.wrapped, AdvisorSettings.builder().allowApply(true).validationRuns(10).build());
    AdvisorReport report = advisor.analyze();

    ApplyReport applied = advisor.apply(report);

    assertThat(applied.count(AppliedIndex.Outcome.KEPT)).isEqualTo(report.recommendations().size());
    List<String> names =
        report.recommendations().stream().map(IndexRecommendation::indexName).toList();
    assertThat(shop.indexes()).containsAll(names);
    try (Connection c = shop.pool.getConnection();
        Statement s = c.createStatement()) {
      for (String name : names) {
        s.execute("DROP INDEX \"" + name + "\"");
      }
    }
  }
}
