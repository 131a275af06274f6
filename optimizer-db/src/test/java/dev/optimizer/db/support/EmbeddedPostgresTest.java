package dev.optimizer.db.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class EmbeddedPostgresTest {

  @Test
  void aRealPostgresServesQueriesThroughHikari() throws Exception {
    try (HikariDataSource ds = EmbeddedPostgres.hikari("smoke", 2);
        Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT current_setting('max_connections')::int, version()")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(300);
      assertThat(rs.getString(2)).startsWith("PostgreSQL");
    }
  }
}
