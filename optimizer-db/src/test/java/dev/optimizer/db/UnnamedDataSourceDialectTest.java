package dev.optimizer.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Knob;
import dev.optimizer.api.Mode;
import dev.optimizer.db.support.EmbeddedMariaDb;
import dev.optimizer.db.support.EmbeddedPostgres;
import dev.optimizer.db.support.UnnamedDataSource;
import io.opentelemetry.api.common.AttributeKey;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A data source whose type does not name its database (a Tomcat, DBCP2 or c3p0 pool, Spring's
 * DriverManagerDataSource): the literal syntax of the database it reaches must still keep values
 * out of the statistics.
 */
class UnnamedDataSourceDialectTest {

  private static List<String> texts(DataSource raw, String... statements) throws Exception {
    DbTestSupport support = new DbTestSupport(Mode.RECOMMEND);
    try {
      DbOptimizer db = DbOptimizer.builder(support.optimizer).poolSizing(false).build();
      DataSource ds = db.wrap(raw);
      try (Connection c = ds.getConnection();
          Statement s = c.createStatement()) {
        for (String sql : statements) {
          try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
              // drain
            }
          }
        }
      }
      return db.insight().topByTotalTime(50).stream().map(StatementStats::text).toList();
    } finally {
      support.close();
    }
  }

  @Test
  void mariaDbStringsAndCommentsCarryNoValues() throws Exception {
    List<String> texts =
        texts(
            new UnnamedDataSource(EmbeddedMariaDb.jdbcUrl(), "root", ""),
            "SELECT 1 FROM dual WHERE 'x' = \"secretdq\"",
            "SELECT 1 FROM dual WHERE 'x' = 'O\\'Brienesc'",
            "SELECT 1 FROM dual # secretcomment\nWHERE 1 = 1");
    // Lexed as MySQL, the three are one statement with its values and comment taken out.
    assertThat(texts).containsExactly("SELECT ? FROM dual WHERE ? = ?");
    assertThat(String.join("\n", texts))
        .doesNotContain("secretdq")
        .doesNotContain("Brienesc")
        .doesNotContain("secretcomment");
  }

  @Test
  void postgresDollarStringsCarryNoValues() throws Exception {
    List<String> texts =
        texts(
            new UnnamedDataSource(EmbeddedPostgres.jdbcUrl(), "postgres", ""),
            "SELECT $$secretdollar$$ AS a",
            "SELECT $q$secrettag$q$ AS b");
    assertThat(String.join("\n", texts)).doesNotContain("secretdollar").doesNotContain("secrettag");
  }

  private static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("db.system.name");

  /** The db.system.name of the operations a wrapper of {@code raw} recorded. */
  private static Set<String> systems(DataSource raw) throws Exception {
    try (DbTestSupport support = new DbTestSupport(Mode.RECOMMEND)) {
      DbOptimizer db = DbOptimizer.builder(support.optimizer).poolSizing(false).build();
      DataSource ds = db.wrap(raw);
      try (Connection c = ds.getConnection();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT 1")) {
        rs.next();
      }
      return support
          .metric("db.client.operation.duration")
          .orElseThrow()
          .getHistogramData()
          .getPoints()
          .stream()
          .map(p -> p.getAttributes().get(SYSTEM))
          .collect(Collectors.toSet());
    }
  }

  @Test
  void telemetryNamesTheSystemTheFirstConnectionReports() throws Exception {
    assertThat(systems(new UnnamedDataSource(EmbeddedPostgres.jdbcUrl(), "postgres", "")))
        .containsExactly("postgresql");
    assertThat(systems(new UnnamedDataSource(EmbeddedMariaDb.jdbcUrl(), "root", "")))
        .containsExactly("mariadb");
  }

  /**
   * A HikariCP pool configured with a DataSource class that does not name its database: its
   * telemetry and its sizer's server limit follow what the first connection reports.
   */
  @Test
  void aHikariPoolOfADataSourceClassThatNamesNoDatabaseLearnsItFromItsFirstConnection()
      throws Exception {
    HikariConfig config = new HikariConfig();
    config.setDataSourceClassName(UnnamedDataSource.class.getName());
    config.addDataSourceProperty("url", EmbeddedPostgres.jdbcUrl());
    config.setUsername("postgres");
    config.setPassword("postgres");
    config.setPoolName("unnamed-class");
    config.setMaximumPoolSize(10);
    config.setMinimumIdle(2);
    try (DbTestSupport support = new DbTestSupport(Mode.AUTO);
        HikariDataSource pool = new HikariDataSource(config)) {
      DbOptimizer db = DbOptimizer.builder(support.optimizer).poolBudget(400).build();
      DataSource ds = db.wrap(pool);
      try (Connection c = ds.getConnection();
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT 1")) {
        rs.next();
      }
      assertThat(
              support
                  .metric("db.client.operation.duration")
                  .orElseThrow()
                  .getHistogramData()
                  .getPoints())
          .extracting(p -> p.getAttributes().get(SYSTEM))
          .containsOnly("postgresql");
      // PostgreSQL's limit applies: 300 connections, 3 reserved for superusers.
      @SuppressWarnings("unchecked")
      Knob<Integer> knob =
          (Knob<Integer>) support.optimizer.knob("db.pool.unnamed-class.max_size").orElseThrow();
      assertThatThrownBy(() -> knob.set(298))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("the server accepts only");
      assertThat(pool.getMaximumPoolSize()).isEqualTo(10);
    }
  }
}
