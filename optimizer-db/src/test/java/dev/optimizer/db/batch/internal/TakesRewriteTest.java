package dev.optimizer.db.batch.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverPropertyInfo;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class TakesRewriteTest {

  /** A driver that fails to describe its properties with an unchecked exception, as some do. */
  public static final class UnansweringDriver implements Driver {
    @Override
    public Connection connect(String url, Properties info) {
      return null;
    }

    @Override
    public boolean acceptsURL(String url) {
      return url.startsWith("jdbc:unanswering:");
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
      throw new UnsupportedOperationException("not implemented by this driver");
    }

    @Override
    public int getMajorVersion() {
      return 1;
    }

    @Override
    public int getMinorVersion() {
      return 0;
    }

    @Override
    public boolean jdbcCompliant() {
      return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }
  }

  @Test
  void aDriverThatThrowsUncheckedFromGetPropertyInfoIsNotRewrittenAndDoesNotFail() {
    try (HikariDataSource h = new HikariDataSource()) {
      h.setDriverClassName(UnansweringDriver.class.getName());
      h.setJdbcUrl("jdbc:unanswering:db");

      assertThat(BatchAdvisor.takesRewrite(h)).isFalse();
    }
  }
}
