package dev.optimizer.db.advisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.optimizer.db.support.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The advisor's sandbox path (no HypoPG) on a real PostgreSQL from Maven. */
class SandboxAdvisorTest {
  static ShopFixture shop;

  @BeforeAll
  static void setUp() throws Exception {
    EmbeddedPostgres.server();
    shop =
        new ShopFixture(
            EmbeddedPostgres.jdbcUrl(),
            name -> EmbeddedPostgres.server().getJdbcUrl("postgres", name),
            "advisor_sandbox");
    shop.runWorkload(20);
  }

  @AfterAll
  static void tearDown() {
    shop.close();
  }

  static AdvisorSettings.Builder sandbox() {
    return AdvisorSettings.builder().allowSandbox(true);
  }

  @Test
  void recommendsSelectiveIndexesAndNothingOnLowSelectivityColumns() throws Exception {
    AdvisorReport report = shop.db.indexAdvisor(shop.wrapped, sandbox().build()).analyze();

    assertThat(report.method()).isEqualTo("sandbox");
    assertThat(report.recommendations())
        .extracting(r -> r.table() + r.keyColumns())
        .contains("customers[email]")
        .anyMatch(s -> s.startsWith("orders[customer_id"));
    assertThat(report.recommendations())
        .flatExtracting(IndexRecommendation::keyColumns)
        .doesNotContain("status", "country", "active");
    IndexRecommendation email =
        report.recommendations().stream()
            .filter(r -> r.keyColumns().equals(List.of("email")))
            .findFirst()
            .orElseThrow();
    assertThat(email.ddl())
        .startsWith("CREATE INDEX CONCURRENTLY \"opt_customers_email_")
        .endsWith("ON \"public\".\"customers\" (\"email\")");
    assertThat(email.statements()).hasSize(1);
    StatementGain gain = email.statements().get(0);
    assertThat(gain.costAfter()).isLessThan(gain.costBefore() / 2);
    assertThat(gain.planBefore()).contains("Seq Scan on customers");
    assertThat(gain.planAfter()).contains(email.indexName());
    // The sandbox rolled back: nothing was left on the database.
    assertThat(shop.indexes()).containsExactly("customers_pkey", "orders_pkey");
    assertThat(report.fullScans()).extracting(FullScan::table).contains("customers", "orders");
    assertThat(report.toJson()).contains("\"ddl\": \"CREATE INDEX CONCURRENTLY");
    assertThat(report.toMarkdown()).contains("## Recommended indexes", email.indexName());

    shop.db.indexAdvisor(shop.wrapped, sandbox().build()).publish(report);
    assertThat(shop.optimizer.report().recommendations())
        .filteredOn(r -> r.kind().equals("index"))
        .anySatisfy(
            r -> {
              assertThat(r.action()).isEqualTo(email.ddl());
              assertThat(r.estimatedGain())
                  .hasValueSatisfying(g -> assertThat(g).isGreaterThan(0.5));
              assertThat(r.evidence()).containsEntry("method", "sandbox");
            });
    assertThat(shop.optimizer.report().toJson()).contains("opt_customers_email_");
  }

  @Test
  void withoutHypoPgOrSandboxNothingIsEvaluatedAndTheReportSaysWhy() throws Exception {
    AdvisorReport report = shop.db.indexAdvisor(shop.pool, AdvisorSettings.defaults()).analyze();

    assertThat(report.method()).isEqualTo("none");
    assertThat(report.recommendations()).isEmpty();
    assertThat(report.notes()).anyMatch(n -> n.contains("AdvisorSettings.allowSandbox"));
  }

  @Test
  void tablesOverTheSandboxSizeLimitAreNotBuiltOn() throws Exception {
    try (Connection c = shop.pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE big_events (id bigint PRIMARY KEY, kind_code bigint, pad text)");
      s.execute(
          "INSERT INTO big_events SELECT g, g, repeat('x', 200) FROM generate_series(1, 8000) g");
      s.execute("ANALYZE big_events");
    }
    try (Connection c = shop.wrapped.getConnection()) {
      ShopFixture.query(c, "SELECT pad FROM big_events WHERE kind_code = ?", 42L);
    }
    AdvisorReport report =
        shop.db
            .indexAdvisor(shop.wrapped, sandbox().sandboxMaxTableBytes(1 << 20).build())
            .analyze();

    assertThat(report.recommendations()).noneMatch(r -> r.table().equals("big_events"));
    assertThat(report.notes())
        .anyMatch(n -> n.contains("big_events") && n.contains("sandboxMaxTableBytes"));
  }

  @Test
  void unparseableStatementsAreSkippedWithANote() throws Exception {
    try (Connection c = shop.wrapped.getConnection();
        Statement s = c.createStatement()) {
      // Valid PostgreSQL that JSqlParser does not read.
      s.executeQuery("SELECT xmlelement(name foo, id) FROM customers WHERE id = 7").close();
      // Two statements in one text: EXPLAIN would run the second for real.
      s.execute("SELECT 1 FROM customers WHERE id = 8; CREATE TABLE advisor_canary (x int)");
      s.execute("DROP TABLE advisor_canary");
    }
    AdvisorReport report = shop.db.indexAdvisor(shop.wrapped, sandbox().build()).analyze();

    assertThat(report.statementsAnalyzed()).isGreaterThanOrEqualTo(4);
    assertThat(report.notes())
        .anyMatch(n -> n.startsWith("skipped") && n.contains("xmlelement") && n.contains("parser"))
        .anyMatch(n -> n.startsWith("skipped") && n.contains("several statements"));
    try (Connection c = shop.pool.getConnection();
        Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery("SELECT to_regclass('advisor_canary') IS NULL")) {
      rs.next();
      assertThat(rs.getBoolean(1)).as("the advisor re-ran a statement").isTrue();
    }
  }

  @Test
  void settingsAreChecked() {
    assertThatThrownBy(() -> AdvisorSettings.builder().minGain(1.5))
        .hasMessageContaining("minGain")
        .hasMessageContaining("1.5");
    assertThatThrownBy(
            () ->
                shop.db
                    .indexAdvisor(shop.wrapped, AdvisorSettings.defaults())
                    .apply(
                        new AdvisorReport(
                            java.time.Instant.EPOCH,
                            "none",
                            0,
                            List.of(),
                            List.of(),
                            List.of(),
                            List.of())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("allowApply");
  }
}
