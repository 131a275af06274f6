package dev.optimizer.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.optimizer.api.Mode;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * What a user sees of {@code db.client.operation.duration} when an application sends more distinct
 * statements than the OpenTelemetry SDK keeps attribute sets apart (2,000 per instrument by
 * default): the first {@code operationCardinalityLimit} summaries as they are, the rest under
 * {@code db.query.summary=other}, never the SDK's anonymous overflow series.
 */
class OperationCardinalityTest {
  private static final AttributeKey<String> SUMMARY = AttributeKey.stringKey("db.query.summary");
  private static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("db.system.name");
  private static final AttributeKey<Boolean> SDK_OVERFLOW =
      AttributeKey.booleanKey("otel.metric.overflow");
  private static final int TABLES = 2500;

  @Test
  void summariesBeyondTheLimitAreFoldedIntoOtherBeforeTheSdkWouldFoldThemAnonymously()
      throws Exception {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:cardinality;DB_CLOSE_DELAY=-1");
    try (Connection c = h2.getConnection();
        Statement s = c.createStatement()) {
      for (int i = 0; i < TABLES; i++) {
        s.execute("CREATE TABLE t" + i + " (id INT)");
      }
    }
    try (DbTestSupport support = new DbTestSupport(Mode.OBSERVE)) {
      DbOptimizer db = DbOptimizer.builder(support.optimizer).poolSizing(false).build();
      DataSource ds = db.wrap(h2);
      try (Connection c = ds.getConnection();
          Statement s = c.createStatement()) {
        for (int i = 0; i < TABLES; i++) { // 2,500 fingerprints, each its own summary
          try (ResultSet rs = s.executeQuery("SELECT id FROM t" + i)) {
            rs.next();
          }
        }
      }

      MetricData duration = support.metric("db.client.operation.duration").orElseThrow();
      List<HistogramPointData> points = List.copyOf(duration.getHistogramData().getPoints());
      assertThat(points).noneMatch(p -> p.getAttributes().get(SDK_OVERFLOW) != null);
      assertThat(points).hasSize(1000 + 1);
      HistogramPointData other =
          points.stream()
              .filter(p -> "other".equals(p.getAttributes().get(SUMMARY)))
              .findFirst()
              .orElseThrow();
      assertThat(other.getCount()).isEqualTo(TABLES - 1000);
      assertThat(other.getAttributes().get(SYSTEM)).isEqualTo("h2database");
      Set<String> named =
          points.stream()
              .map(p -> p.getAttributes().get(SUMMARY))
              .filter(summary -> !summary.equals("other"))
              .collect(Collectors.toSet());
      assertThat(named).hasSize(1000).contains("SELECT t0", "SELECT t999");
      assertThat(points.stream().mapToLong(HistogramPointData::getCount).sum()).isEqualTo(TABLES);
      // The statistics stay per fingerprint.
      assertThat(db.insight().topByTotalTime(TABLES)).hasSize(TABLES);
    }
  }

  @Test
  void theLimitIsCheckedWhenSet() {
    try (DbTestSupport support = new DbTestSupport(Mode.OBSERVE)) {
      assertThatThrownBy(() -> DbOptimizer.builder(support.optimizer).operationCardinalityLimit(5))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("operationCardinalityLimit")
          .hasMessageContaining("5");
    }
  }
}
