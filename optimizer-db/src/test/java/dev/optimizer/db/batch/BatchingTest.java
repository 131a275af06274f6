package dev.optimizer.db.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Mode;
import dev.optimizer.api.Recommendation;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.WriteLoop;
import dev.optimizer.db.support.EmbeddedPostgres;
import dev.optimizer.runtime.Optimizer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Write loops found with their call site, and the driver's batch rewrite, on a real PostgreSQL. */
class BatchingTest {
  private Optimizer optimizer;
  private HikariDataSource hikari;

  @BeforeEach
  void start() throws Exception {
    optimizer = Optimizer.builder().manualTuning().mode(Mode.RECOMMEND).build();
    hikari = EmbeddedPostgres.hikari("batching", 2);
    try (Connection c = hikari.getConnection();
        Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS bt_row");
      s.execute("CREATE TABLE bt_row (id int PRIMARY KEY, v text)");
    }
  }

  @AfterEach
  void stop() {
    optimizer.close();
    hikari.close();
  }

  private static void insertOneByOne(DataSource ds, int from, int rows) throws Exception {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO bt_row (id, v) VALUES (?, ?)")) {
        for (int i = from; i < from + rows; i++) {
          ps.setInt(1, i);
          ps.setString(2, "v" + i);
          assertThat(ps.executeUpdate()).isEqualTo(1);
        }
      }
      c.commit();
    }
  }

  @Test
  void aWriteLoopIsReportedWithItsCallSiteAndTheDriverSetting() throws Exception {
    DbOptimizer db = DbOptimizer.builder(optimizer).poolSizing(false).build();
    DataSource ds = db.wrap(hikari);
    insertOneByOne(ds, 0, 49);
    assertThat(db.writeLoops()).isEmpty();
    insertOneByOne(ds, 100, 60);

    assertThat(db.writeLoops()).hasSize(1);
    WriteLoop loop = db.writeLoops().get(0);
    assertThat(loop.text()).startsWith("INSERT INTO bt_row");
    assertThat(loop.inTransaction()).isTrue();
    assertThat(loop.callSite()).hasValueSatisfying(s -> assertThat(s).contains("BatchingTest"));
    assertThat(loop.driverSetting()).contains("reWriteBatchedInserts=true");
    assertThat(optimizer.recommendations())
        .extracting(Recommendation::kind)
        .contains("batch-writes");
    insertOneByOne(ds, 200, 60); // the same loop again: reported once
    assertThat(db.writeLoops()).hasSize(1);
  }

  @Test
  void batchesAreNotWriteLoops() throws Exception {
    DbOptimizer db = DbOptimizer.builder(optimizer).poolSizing(false).build();
    DataSource ds = db.wrap(hikari);
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO bt_row (id, v) VALUES (?, ?)")) {
      for (int i = 0; i < 100; i++) {
        ps.setInt(1, i);
        ps.setString(2, "v");
        ps.addBatch();
      }
      assertThat(ps.executeBatch()).hasSize(100).containsOnly(1);
    }
    assertThat(db.writeLoops()).isEmpty();
  }

  @Test
  void theRewriteIsAppliedOnlyWhenAskedAndOnlyToAPoolNotYetStarted() throws Exception {
    try (HikariDataSource lazy = new HikariDataSource()) {
      lazy.setJdbcUrl(EmbeddedPostgres.jdbcUrl());
      lazy.setUsername("postgres");
      lazy.setPassword("postgres");
      lazy.setMaximumPoolSize(2);
      DataSource ds =
          DbOptimizer.builder(optimizer).poolSizing(false).batchRewrite(true).build().wrap(lazy);
      int[] counts = batch(ds, 0);
      // pgjdbc's rewrite reports SUCCESS_NO_INFO: the price the application accepted.
      assertThat(counts).hasSize(100).containsOnly(Statement.SUCCESS_NO_INFO);
    }
    // A running pool is sealed: nothing is changed, counts stay per row.
    DataSource running =
        DbOptimizer.builder(optimizer).poolSizing(false).batchRewrite(true).build().wrap(hikari);
    assertThat(batch(running, 1000)).containsOnly(1);
    // Not asked: nothing is changed either.
    try (HikariDataSource lazy = new HikariDataSource()) {
      lazy.setJdbcUrl(EmbeddedPostgres.jdbcUrl());
      lazy.setUsername("postgres");
      lazy.setPassword("postgres");
      DataSource ds = DbOptimizer.builder(optimizer).poolSizing(false).build().wrap(lazy);
      assertThat(batch(ds, 2000)).containsOnly(1);
    }
    try (Connection c = hikari.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM bt_row")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(300);
    }
  }

  @Test
  void theRewriteIsDecidedByTheDriverNotByANameThatMentionsPostgres() throws Exception {
    // pgjdbc declares the property: applied, also with the DataSource class instead of a URL.
    try (HikariDataSource byUrl = new HikariDataSource();
        HikariDataSource byClass = new HikariDataSource()) {
      byUrl.setJdbcUrl(EmbeddedPostgres.jdbcUrl());
      DbOptimizer.builder(optimizer).poolSizing(false).batchRewrite(true).build().wrap(byUrl);
      assertThat(byUrl.getDataSourceProperties()).containsEntry("reWriteBatchedInserts", "true");
      byClass.setDataSourceClassName("org.postgresql.ds.PGSimpleDataSource");
      DbOptimizer.builder(optimizer).poolSizing(false).batchRewrite(true).build().wrap(byClass);
      assertThat(byClass.getDataSourceProperties()).containsEntry("reWriteBatchedInserts", "true");
    }
    // An H2 database in PostgreSQL mode, named after it: H2's driver does not take the property,
    // and the pool works as it would unwrapped.
    try (HikariDataSource h2 = new HikariDataSource()) {
      h2.setJdbcUrl("jdbc:h2:mem:postgres_mode;MODE=PostgreSQL;DB_CLOSE_DELAY=-1");
      DataSource ds =
          DbOptimizer.builder(optimizer).poolSizing(false).batchRewrite(true).build().wrap(h2);
      assertThat(h2.getDataSourceProperties()).doesNotContainKey("reWriteBatchedInserts");
      try (Connection c = ds.getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE bt_row (id int PRIMARY KEY, v varchar(10))");
      }
      assertThat(batch(ds, 0)).hasSize(100).containsOnly(1);
    }
  }

  private static int[] batch(DataSource ds, int from) throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO bt_row (id, v) VALUES (?, ?)")) {
      for (int i = from; i < from + 100; i++) {
        ps.setInt(1, i);
        ps.setString(2, "v");
        ps.addBatch();
      }
      return ps.executeBatch();
    }
  }
}
