package dev.optimizer.db.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Mode;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.support.EmbeddedMariaDb;
import dev.optimizer.runtime.Optimizer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * MariaDB Connector/J does not take pgjdbc's batch rewrite, whatever the URL's database is called.
 */
class BatchRewriteMariaDbTest {
  @Test
  void aMariaDbPoolWhoseDatabaseIsNamedAfterPostgresIsLeftAsItIs() throws Exception {
    String base = EmbeddedMariaDb.jdbcUrl();
    String url = base.substring(0, base.lastIndexOf('/') + 1) + "postgres_archive";
    try (Connection c = DriverManager.getConnection(base, "root", "");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE IF NOT EXISTS postgres_archive");
      s.execute("CREATE TABLE IF NOT EXISTS postgres_archive.br_row (id int PRIMARY KEY, v int)");
      s.execute("DELETE FROM postgres_archive.br_row");
    }
    try (Optimizer optimizer = Optimizer.builder().manualTuning().mode(Mode.RECOMMEND).build();
        HikariDataSource lazy = new HikariDataSource()) {
      lazy.setJdbcUrl(url);
      lazy.setUsername("root");
      lazy.setPassword("");
      lazy.setMaximumPoolSize(2);
      DataSource ds =
          DbOptimizer.builder(optimizer).poolSizing(false).batchRewrite(true).build().wrap(lazy);
      assertThat(lazy.getDataSourceProperties()).doesNotContainKey("reWriteBatchedInserts");
      try (Connection c = ds.getConnection();
          PreparedStatement ps = c.prepareStatement("INSERT INTO br_row (id, v) VALUES (?, ?)")) {
        for (int i = 0; i < 10; i++) {
          ps.setInt(1, i);
          ps.setInt(2, i);
          ps.addBatch();
        }
        assertThat(ps.executeBatch()).hasSize(10);
      }
    }
  }
}
