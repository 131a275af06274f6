package dev.optimizer.db.advisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.optimizer.db.support.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The check users add to their own test suites, on a real PostgreSQL. */
class IndexCheckTest {
  static ShopFixture shop;

  @BeforeAll
  static void setUp() throws Exception {
    shop =
        new ShopFixture(
            EmbeddedPostgres.jdbcUrl(),
            name -> EmbeddedPostgres.server().getJdbcUrl("postgres", name),
            "advisor_check");
    shop.runWorkload(12);
  }

  @AfterAll
  static void tearDown() {
    shop.close();
  }

  @Test
  void failsWithFingerprintsAndTheDdlThatFixesIt() {
    assertThatThrownBy(
            () ->
                IndexCheck.of(shop.db, shop.wrapped)
                    .maxRowsScannedWithoutIndex(10_000)
                    .noNPlusOne()
                    .maxGain(0.5)
                    .verify())
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("index check failed:")
        .hasMessageContaining("full scan: statement ")
        .hasMessageContaining("reads all of customers (~20,000 rows) without an index")
        .hasMessageContaining("fix: CREATE INDEX CONCURRENTLY \"opt_customers_email_")
        .hasMessageContaining("missing index: statements ")
        .hasMessageContaining("N+1: statement ")
        .hasMessageContaining("SELECT id, name FROM customers WHERE email = ?");
  }

  @Test
  void eachRuleCanBeLoosened() throws Exception {
    assertThat(IndexCheck.of(shop.db, shop.wrapped).problems()).isEmpty();
    assertThatCode(
            () ->
                IndexCheck.of(shop.db, shop.wrapped)
                    .maxRowsScannedWithoutIndex(1_000_000)
                    .maxGain(1.0)
                    .verify())
        .doesNotThrowAnyException();
    assertThat(IndexCheck.of(shop.db, shop.wrapped).noNPlusOne().problems())
        .isNotEmpty()
        .allMatch(p -> p.startsWith("N+1"));
  }

  @Test
  void badThresholdsAreRefused() {
    assertThatThrownBy(() -> IndexCheck.of(shop.db, shop.wrapped).maxGain(2))
        .hasMessageContaining("maxGain")
        .hasMessageContaining("2");
  }
}
