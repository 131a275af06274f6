package dev.optimizer.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Mode;
import dev.optimizer.api.Recommendation;
import dev.optimizer.db.support.EmbeddedPostgres;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Statement statistics, N+1 detection, slow statements and telemetry, on a real PostgreSQL. */
class StatementInsightTest {
  private HikariDataSource hikari;
  private DbTestSupport support;
  private DbOptimizer db;
  private DataSource ds;
  private final List<SlowStatement> slow = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    hikari = EmbeddedPostgres.hikari("insight", 4);
    support = new DbTestSupport(Mode.RECOMMEND);
    db =
        DbOptimizer.builder(support.optimizer)
            .nPlusOneThreshold(5)
            .slowStatementThreshold(Duration.ofMillis(150))
            .build();
    db.addSlowStatementListener(slow::add);
    ds = db.wrap(hikari);
    try (Connection c = hikari.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS people");
      s.execute("CREATE TABLE people (id int PRIMARY KEY, name text)");
      s.execute("INSERT INTO people SELECT g, 'p' || g FROM generate_series(1, 50) g");
    }
  }

  @AfterEach
  void stop() {
    support.close();
    hikari.close();
  }

  private long byId(int id) throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT name FROM people WHERE id = ?")) {
      ps.setInt(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? 1 : 0;
      }
    }
  }

  @Test
  void statisticsArePerFingerprintAndCarryNoValues() throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      for (int i = 1; i <= 3; i++) {
        try (ResultSet rs = s.executeQuery("SELECT name FROM people WHERE id = " + (i * 7919))) {
          while (rs.next()) {
            // drain
          }
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT * FROM people WHERE id <= 10")) {
        while (rs.next()) {
          // drain: 10 rows
        }
      }
    }
    List<StatementStats> top = db.insight().topByTotalTime(10);
    StatementStats lookups =
        top.stream().filter(t -> t.text().contains("WHERE id = ?")).findFirst().orElseThrow();
    assertThat(lookups.calls()).isEqualTo(3);
    assertThat(lookups.text()).doesNotContain("7919").doesNotContain("15838");
    StatementStats range =
        top.stream().filter(t -> t.text().contains("<=")).findFirst().orElseThrow();
    assertThat(range.rows()).isEqualTo(10);
    assertThat(range.totalNanos()).isPositive();
  }

  @Test
  void rowsOfAWriteReadThroughGetUpdateCountAfterExecuteAreCountedOnce() throws Exception {
    // How MyBatis runs every INSERT, UPDATE and DELETE: execute(), then getUpdateCount().
    try (Connection c = ds.getConnection();
        java.sql.PreparedStatement ps =
            c.prepareStatement("UPDATE people SET name = name WHERE id IN (?, ?, ?)")) {
      ps.setInt(1, 1);
      ps.setInt(2, 2);
      ps.setInt(3, 3);
      assertThat(ps.execute()).isFalse();
      assertThat(ps.getUpdateCount()).isEqualTo(3);
      assertThat(ps.getUpdateCount()).isEqualTo(3); // asked again: still 3 rows, not 6
      assertThat(ps.getMoreResults()).isFalse();
      ps.getLargeUpdateCount();
    }
    StatementStats stats =
        db.insight().topByTotalTime(50).stream()
            .filter(t -> t.text().startsWith("UPDATE people"))
            .findFirst()
            .orElseThrow();
    assertThat(stats.calls()).isEqualTo(1);
    assertThat(stats.rows()).isEqualTo(3);
  }

  @Test
  void rowsReadThroughGetResultSetAfterExecuteAreCounted() throws Exception {
    // How MyBatis runs every query: execute(), then getResultSet().
    try (Connection c = ds.getConnection();
        java.sql.PreparedStatement ps =
            c.prepareStatement("SELECT name FROM people WHERE id <= ? AND id > 0")) {
      ps.setInt(1, 7);
      assertThat(ps.execute()).isTrue();
      try (ResultSet rs = ps.getResultSet()) {
        while (rs.next()) {
          // drain: 7 rows
        }
      }
    }
    StatementStats stats =
        db.insight().topByTotalTime(50).stream()
            .filter(t -> t.text().contains("id > ?"))
            .findFirst()
            .orElseThrow();
    assertThat(stats.calls()).isEqualTo(1);
    assertThat(stats.rows()).isEqualTo(7);
  }

  @Test
  void errorsAreCounted() throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      for (int i = 0; i < 2; i++) {
        try {
          s.executeQuery("SELECT nope FROM people WHERE id = " + i);
        } catch (java.sql.SQLException expected) {
          assertThat(expected.getSQLState()).isEqualTo("42703");
        }
      }
    }
    StatementStats failing =
        db.insight().topByTotalTime(10).stream()
            .filter(t -> t.text().contains("nope"))
            .findFirst()
            .orElseThrow();
    assertThat(failing.errors()).isEqualTo(2);
  }

  @Test
  void findsAnNPlusOneLoopWithItsCallSite() throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT name FROM people WHERE id = ?")) {
      for (int id = 1; id <= 8; id++) {
        ps.setInt(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
        }
      }
    }
    assertThat(db.insight().nPlusOnes()).hasSize(1);
    NPlusOne finding = db.insight().nPlusOnes().get(0);
    assertThat(finding.text()).contains("WHERE id = ?");
    assertThat(finding.executions()).isEqualTo(5);
    assertThat(finding.callSite())
        .hasValueSatisfying(
            site ->
                assertThat(site)
                    .contains("StatementInsightTest.findsAnNPlusOneLoopWithItsCallSite"));
    List<Recommendation> recs = support.optimizer.recommendations();
    assertThat(recs).extracting(Recommendation::kind).containsExactly("n-plus-one");
    assertThat(recs.get(0).evidence()).containsKey("callSite");
  }

  @Test
  void writesRepeatedRowByRowAreNotNPlusOne() throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("UPDATE people SET name = ? WHERE id = ?")) {
      for (int i = 1; i <= 12; i++) {
        ps.setString(1, "renamed " + i);
        ps.setInt(2, i);
        ps.executeUpdate();
      }
    }
    assertThat(db.insight().nPlusOnes()).isEmpty();
  }

  @Test
  void repeatingTheSameParametersOrSpreadingOverLeasesIsNotNPlusOne() throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT name FROM people WHERE id = ?")) {
      for (int i = 0; i < 20; i++) {
        ps.setInt(1, 42);
        ps.executeQuery().close();
      }
    }
    for (int id = 1; id <= 8; id++) {
      byId(id); // one lease each
    }
    assertThat(db.insight().nPlusOnes()).isEmpty();
  }

  @Test
  void reportsSlowStatementsWithoutValues() throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      s.execute("SELECT pg_sleep(0.2), 'secret-value'");
    }
    assertThat(slow).hasSize(1);
    assertThat(slow.get(0).text()).doesNotContain("secret-value");
    assertThat(slow.get(0).duration()).isGreaterThanOrEqualTo(Duration.ofMillis(150));
    assertThat(slow.get(0).callSite())
        .hasValueSatisfying(s -> assertThat(s).contains("StatementInsightTest"));
  }

  @Test
  void theCallSiteOfARepositoryCallIsTheApplicationNotSpringOrItsProxy() throws Exception {
    // Spring Data JPA: the application calls a CGLIB proxy, Spring AOP intercepts, Spring ORM's
    // shared EntityManager runs the SQL; the site to report is the application's call.
    dev.optimizer.db.proxied.OrderRepo$$SpringCGLIB$$0.find(ds, "SELECT pg_sleep(0.2)");
    assertThat(slow).hasSize(1);
    assertThat(slow.get(0).callSite())
        .hasValueSatisfying(
            s ->
                assertThat(s)
                    .startsWith(
                        "dev.optimizer.db.StatementInsightTest"
                            + ".theCallSiteOfARepositoryCallIsTheApplicationNotSpringOrItsProxy:"));
  }

  @Test
  void recordsTheSemanticConventionMetrics() throws Exception {
    byId(1);
    MetricData duration = support.metric("db.client.operation.duration").orElseThrow();
    HistogramPointData point = duration.getHistogramData().getPoints().iterator().next();
    assertThat(point.getAttributes().get(AttributeKey.stringKey("db.system.name")))
        .isEqualTo("postgresql");
    assertThat(point.getAttributes().get(AttributeKey.stringKey("db.operation.name")))
        .isEqualTo("SELECT");
    assertThat(point.getAttributes().get(AttributeKey.stringKey("db.collection.name")))
        .isEqualTo("people");
    assertThat(point.getAttributes().get(AttributeKey.stringKey("db.query.summary")))
        .isEqualTo("SELECT people");
    List<String> names = support.collect().stream().map(MetricData::getName).toList();
    // (collect() above consumed the histogram; the pool instruments are asynchronous)
    assertThat(names).contains("db.client.connection.count", "db.client.connection.max");
    MetricData max = support.metric("db.client.connection.max").orElseThrow();
    assertThat(max.getLongSumData().getPoints().iterator().next().getValue()).isEqualTo(4);
  }

  @Test
  void closingTheWrapperLeavesThePoolOpen() throws Exception {
    ((AutoCloseable) ds).close();
    assertThat(hikari.isClosed()).isFalse();
  }

  @Test
  void modeOffMeasuresNothing() throws Exception {
    support.optimizer.setMode(Mode.OFF);
    byId(1);
    assertThat(db.insight().topByTotalTime(10)).isEmpty();
  }

  private StatementStats lookupStats() {
    return db.insight().topByTotalTime(10).stream()
        .filter(t -> t.text().contains("WHERE id = ?"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aKnownStatementIsCountedAfreshAfterAReset() throws Exception {
    // The wrapper resolves where a statement text is counted once; a reset must not leave it
    // counting into the forgotten entry.
    for (int i = 1; i <= 3; i++) {
      byId(i);
    }
    assertThat(lookupStats().calls()).isEqualTo(3);
    assertThat(lookupStats().rows()).isEqualTo(3);
    db.insight().reset();
    assertThat(db.insight().topByTotalTime(10)).isEmpty();
    byId(4);
    byId(5);
    assertThat(lookupStats().calls()).isEqualTo(2);
    assertThat(lookupStats().rows()).isEqualTo(2);
  }

  @Test
  void statementsBeyondTheCapacityAreCountedAsOtherWithTheirRows() throws Exception {
    DbOptimizer small =
        DbOptimizer.builder(support.optimizer).maxFingerprints(10).poolSizing(false).build();
    DataSource few = small.wrap(hikari);
    try (Connection c = few.getConnection()) {
      for (int n = 0; n < 12; n++) {
        try (PreparedStatement ps =
            c.prepareStatement("SELECT name" + ", id".repeat(n) + " FROM people WHERE id <= ?")) {
          ps.setInt(1, 3);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              // drain: 3 rows
            }
          }
        }
      }
    }
    List<StatementStats> top = small.insight().topByTotalTime(20);
    assertThat(top).hasSize(11);
    StatementStats other =
        top.stream().filter(t -> t.text().equals("<other statements>")).findFirst().orElseThrow();
    assertThat(other.calls()).isEqualTo(2);
    assertThat(other.rows()).isEqualTo(6);
    assertThat(top.stream().mapToLong(StatementStats::rows).sum()).isEqualTo(36);
  }
}
