package dev.optimizer.db.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.db.support.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Applying recommendations on a real PostgreSQL: kept, reverted, failed builds, one instance. */
class ApplyTest {
  ShopFixture shop;

  @BeforeEach
  void setUp() throws Exception {
    shop =
        new ShopFixture(
            EmbeddedPostgres.jdbcUrl(),
            name -> EmbeddedPostgres.server().getJdbcUrl("postgres", name),
            "advisor_apply");
    shop.runWorkload(20);
  }

  @AfterEach
  void tearDown() {
    shop.close();
  }

  IndexAdvisor advisor() {
    return shop.db.indexAdvisor(
        shop.wrapped,
        AdvisorSettings.builder().allowSandbox(true).allowApply(true).validationRuns(15).build());
  }

  @Test
  void indexesThatReallyHelpAreKept() throws Exception {
    IndexAdvisor advisor = advisor();
    AdvisorReport report = advisor.analyze();
    assertThat(report.recommendations()).isNotEmpty();

    ApplyReport applied = advisor.apply(report);

    assertThat(applied.indexes())
        .allSatisfy(a -> assertThat(a.outcome()).isEqualTo(AppliedIndex.Outcome.KEPT));
    for (AppliedIndex a : applied.indexes()) {
      assertThat(a.medianNanosAfter()).isLessThan(a.medianNanosBefore());
      assertThat(shop.indexes()).contains(a.recommendation().indexName());
    }
    // Once applied, the same workload needs nothing more.
    shop.db.insight().reset();
    shop.runWorkload(5);
    assertThat(advisor.analyze().recommendations()).isEmpty();
  }

  @Test
  void anIndexWithoutRealGainIsDroppedAgain() throws Exception {
    IndexAdvisor advisor = advisor();
    IndexRecommendation email =
        advisor.analyze().recommendations().stream()
            .filter(r -> r.keyColumns().equals(List.of("email")))
            .findFirst()
            .orElseThrow();
    // The same index, claimed for a statement it cannot help: the count by country.
    long countByCountry =
        shop.db.insight().topByTotalTime(20).stream()
            .filter(s -> s.text().contains("country"))
            .findFirst()
            .orElseThrow()
            .fingerprintId();
    IndexRecommendation useless =
        new IndexRecommendation(
            email.indexName(),
            email.schema(),
            email.table(),
            email.keyColumns(),
            email.includeColumns(),
            email.ddl(),
            email.estimatedBytes(),
            0.9,
            List.of(new StatementGain(countByCountry, "count by country", 100, 10, "", "")));

    ApplyReport applied = advisor.apply(report(useless));

    assertThat(applied.indexes()).hasSize(1);
    assertThat(applied.indexes().get(0).outcome()).isEqualTo(AppliedIndex.Outcome.REVERTED);
    assertThat(applied.indexes().get(0).reason()).contains("no real gain");
    assertThat(shop.indexes()).doesNotContain(email.indexName());
  }

  @Test
  void aFailedConcurrentBuildLeavesNoInvalidIndex() throws Exception {
    IndexAdvisor advisor = advisor();
    IndexRecommendation email = advisor.analyze().recommendations().get(0);
    // A unique index over duplicate values: the concurrent build fails in its validation phase,
    // after PostgreSQL has already registered the (then INVALID) index.
    String name = "opt_customers_country_unique";
    IndexRecommendation failing =
        new IndexRecommendation(
            name,
            "public",
            "customers",
            List.of("country"),
            List.of(),
            "CREATE UNIQUE INDEX CONCURRENTLY \""
                + name
                + "\" ON \"public\".\"customers\" (\"country\")",
            0,
            0.9,
            email.statements());

    ApplyReport applied = advisor.apply(report(failing));

    AppliedIndex a = applied.indexes().get(0);
    assertThat(a.outcome()).isEqualTo(AppliedIndex.Outcome.FAILED);
    assertThat(a.reason()).contains("SQLState 23505").contains("INVALID index it left was dropped");
    assertThat(shop.indexes()).containsExactly("customers_pkey", "orders_pkey");
  }

  @Test
  void aBuildThatCannotGetItsLockGivesUpWithinTheLockTimeout() throws Exception {
    IndexAdvisor advisor =
        shop.db.indexAdvisor(
            shop.pool,
            AdvisorSettings.builder()
                .allowSandbox(true)
                .allowApply(true)
                .validationRuns(5)
                .lockTimeout(java.time.Duration.ofMillis(200))
                .build());
    AdvisorReport report = advisor.analyze();
    try (Connection blocker = shop.pool.getConnection();
        Statement s = blocker.createStatement()) {
      blocker.setAutoCommit(false);
      // EXCLUSIVE lets the statements be measured but not an index be built.
      s.execute("LOCK TABLE customers, orders IN EXCLUSIVE MODE");
      long t0 = System.nanoTime();
      ApplyReport applied = advisor.apply(report);
      long millis = (System.nanoTime() - t0) / 1_000_000;
      blocker.rollback();

      assertThat(applied.indexes())
          .allSatisfy(a -> assertThat(a.outcome()).isIn(AppliedIndex.Outcome.FAILED));
      assertThat(applied.indexes().get(0).reason()).contains("55P03"); // lock_not_available
      assertThat(millis).isLessThan(30_000);
    }
    assertThat(shop.indexes()).containsExactly("customers_pkey", "orders_pkey");
  }

  @Test
  void onlyOneInstanceApplies() throws Exception {
    IndexAdvisor advisor = advisor();
    AdvisorReport report = advisor.analyze();
    try (Connection other = shop.pool.getConnection();
        Statement s = other.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT pg_advisory_lock(" + Applier.LOCK_KEY + ")")) {
        rs.next();
      }
      ApplyReport applied = advisor.apply(report);
      s.execute("SELECT pg_advisory_unlock(" + Applier.LOCK_KEY + ")");

      assertThat(applied.indexes())
          .isNotEmpty()
          .allSatisfy(a -> assertThat(a.outcome()).isEqualTo(AppliedIndex.Outcome.SKIPPED));
    }
    assertThat(shop.indexes()).containsExactly("customers_pkey", "orders_pkey");
  }

  @Test
  void anInvalidIndexOfOursFromAnEarlierFailureIsCleanedUpFirst() throws Exception {
    try (Connection c = shop.pool.getConnection();
        Statement s = c.createStatement()) {
      try {
        s.execute("CREATE UNIQUE INDEX CONCURRENTLY opt_leftover ON customers (active)");
      } catch (java.sql.SQLException expected) {
        // leaves opt_leftover INVALID
      }
    }
    assertThat(shop.indexes()).contains("opt_leftover (INVALID)");

    ApplyReport applied = advisor().apply(report());

    assertThat(applied.invalidIndexesDropped()).containsExactly("opt_leftover");
    assertThat(shop.indexes()).containsExactly("customers_pkey", "orders_pkey");
  }

  private static AdvisorReport report(IndexRecommendation... recommendations) {
    return new AdvisorReport(
        Instant.EPOCH, "sandbox", 0, List.of(recommendations), List.of(), List.of(), List.of());
  }
}
