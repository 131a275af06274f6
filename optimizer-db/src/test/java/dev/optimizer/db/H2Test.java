package dev.optimizer.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Knob;
import dev.optimizer.api.Mode;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.h2.jdbc.JdbcConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The wrapper on an H2 pool: transparency, H2 syntax in fingerprints, telemetry, pool sizing. */
class H2Test {
  private HikariDataSource hikari;
  private DbTestSupport support;
  private DbOptimizer db;
  private DataSource ds;

  @BeforeEach
  void start() throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl("jdbc:h2:mem:h2test;DB_CLOSE_DELAY=-1");
    config.setPoolName("h2");
    config.setMaximumPoolSize(6);
    hikari = new HikariDataSource(config);
    support = new DbTestSupport(Mode.AUTO);
    db = DbOptimizer.builder(support.optimizer).nPlusOneThreshold(4).poolBudget(30).build();
    ds = db.wrap(hikari);
    try (Connection c = hikari.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS notes");
      s.execute("CREATE TABLE notes (id INT PRIMARY KEY, body VARCHAR(100))");
      s.execute("INSERT INTO notes SELECT x, 'n' || x FROM SYSTEM_RANGE(1, 30)");
    }
  }

  @AfterEach
  void stop() {
    support.close();
    hikari.close();
  }

  @Test
  void unwrapReachesThePoolAndTheDriver() throws Exception {
    assertThat(ds.unwrap(HikariDataSource.class)).isSameAs(hikari);
    // What tools that look for the root pool do (Spring Boot's DataSourceBuilder.derivedFrom):
    // unwrap to DataSource until the answer is the object asked. They must reach the pool.
    javax.sql.DataSource root = ds;
    while (root.isWrapperFor(javax.sql.DataSource.class)) {
      javax.sql.DataSource next = root.unwrap(javax.sql.DataSource.class);
      if (next == root) {
        break;
      }
      root = next;
    }
    assertThat(root).isSameAs(hikari);
    assertThat(DbOptimizer.isWrapped(ds)).isTrue();
    try (Connection c = ds.getConnection()) {
      assertThat(c.unwrap(JdbcConnection.class)).isNotNull();
    }
  }

  @Test
  void anUnstartedPoolWithoutANameGetsTheNameHikariWouldGiveIt() throws Exception {
    // Spring Boot hands over such a pool: HikariCP names a pool only when it starts.
    try (HikariDataSource lazy = new HikariDataSource()) {
      lazy.setJdbcUrl("jdbc:h2:mem:unnamed;DB_CLOSE_DELAY=-1");
      db.wrap(lazy);
      int assigned = Integer.getInteger("com.zaxxer.hikari.pool_number");
      assertThat(lazy.getPoolName()).isEqualTo("HikariPool-" + assigned);
      assertThat(support.optimizer.knob("db.pool." + lazy.getPoolName() + ".max_size")).isPresent();
      try (Connection c = lazy.getConnection()) {
        assertThat(c.isValid(1)).isTrue();
      }
      assertThat(lazy.getPoolName()).isEqualTo("HikariPool-" + assigned); // kept when it started
    }
  }

  @Test
  void h2DollarStringsAndLineCommentsShareOneFingerprint() throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      drain(s.executeQuery("SELECT body FROM notes WHERE body = $$n'1$$ // why"));
      drain(s.executeQuery("SELECT body FROM notes\n WHERE body = 'n2'"));
    }
    assertThat(db.insight().topByTotalTime(10))
        .filteredOn(t -> t.text().contains("body = ?"))
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.calls()).isEqualTo(2);
              assertThat(t.text()).doesNotContain("why").doesNotContain("n'1");
            });
  }

  @Test
  void nPlusOneAndTelemetryNameH2() throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT body FROM notes WHERE id = ?")) {
      for (int id = 1; id <= 6; id++) {
        ps.setInt(1, id);
        drain(ps.executeQuery());
      }
    }
    assertThat(db.insight().nPlusOnes()).singleElement();
    HistogramPointData point = firstDurationPoint();
    assertThat(point.getAttributes().get(AttributeKey.stringKey("db.system.name")))
        .isEqualTo("h2database");
  }

  @Test
  void everyExecutionAndLeaseIsInTheStatisticsAndMetricsWhenReadWithoutAFlush() throws Exception {
    // Records leave the caller's thread for a background recorder; a read must still see them all.
    int threads = 4;
    int each = 500;
    List<Thread> workers = new ArrayList<>();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread w =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < each; i++) {
                    try (Connection c = ds.getConnection();
                        PreparedStatement ps =
                            c.prepareStatement("SELECT body FROM notes WHERE id = ?")) {
                      ps.setInt(1, 1 + i % 30);
                      drain(ps.executeQuery());
                    }
                  }
                } catch (Throwable e) {
                  failures.add(e);
                }
              });
      w.start();
      workers.add(w);
    }
    for (Thread w : workers) {
      w.join();
    }
    assertThat(failures).isEmpty();
    long total = (long) threads * each;

    StatementStats stats = db.insight().topByTotalTime(1).get(0);
    assertThat(stats.text()).contains("notes WHERE id");
    assertThat(stats.calls()).isEqualTo(total);
    assertThat(stats.rows()).isEqualTo(total);
    assertThat(histogramCount("db.client.operation.duration")).isEqualTo(total);
    assertThat(histogramCount("db.client.connection.wait_time")).isEqualTo(total);
    assertThat(histogramCount("db.client.connection.use_time")).isEqualTo(total);
  }

  @Test
  void closingTheOptimizerStopsTheBackgroundRecorder() throws Exception {
    try (Connection c = ds.getConnection()) {
      // a lease, recorded in the background
    }
    assertThat(threadsNamed("optimizer-db-records-h2")).isNotEmpty();

    support.optimizer.close();

    assertThat(threadsNamed("optimizer-db-records-h2")).isEmpty();
  }

  @Test
  void anExecutionInsideASampledSpanKeepsItsExemplar() throws Exception {
    // Recorded on the caller's thread, where the SDK's exemplar filter sees the span.
    SpanContext sampled =
        SpanContext.create(
            "0af7651916cd43dd8448eb211c80319c",
            "b7ad6b7169203331",
            TraceFlags.getSampled(),
            TraceState.getDefault());
    try (Scope scope = Span.wrap(sampled).makeCurrent();
        Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT body FROM notes WHERE id = ?")) {
      ps.setInt(1, 7);
      drain(ps.executeQuery());
    }

    HistogramPointData point = firstDurationPoint();
    assertThat(point.getCount()).isEqualTo(1);
    assertThat(point.getExemplars())
        .singleElement()
        .satisfies(
            e -> assertThat(e.getSpanContext().getTraceId()).isEqualTo(sampled.getTraceId()));
  }

  private long histogramCount(String name) {
    return support.metric(name).orElseThrow().getHistogramData().getPoints().stream()
        .mapToLong(HistogramPointData::getCount)
        .sum();
  }

  private static List<Thread> threadsNamed(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(name) && t.isAlive())
        .toList();
  }

  @Test
  @SuppressWarnings("unchecked")
  void thePoolSizeIsAKnobInAutoMode() throws Exception {
    try (Connection c = ds.getConnection()) {
      // the pool is running
    }
    Knob<Integer> size =
        (Knob<Integer>) support.optimizer.knob("db.pool.h2.max_size").orElseThrow();
    assertThat(size.value()).isEqualTo(6);
    size.set(9);
    assertThat(hikari.getMaximumPoolSize()).isEqualTo(9);
  }

  private static void drain(ResultSet rs) throws SQLException {
    try (rs) {
      while (rs.next()) {
        // read every row
      }
    }
  }

  /** The first point of the recorded {@code db.client.operation.duration} histogram. */
  private HistogramPointData firstDurationPoint() {
    return support
        .metric("db.client.operation.duration")
        .orElseThrow()
        .getHistogramData()
        .getPoints()
        .iterator()
        .next();
  }
}
