package dev.optimizer.db.support;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A driver-backed DataSource whose class name says nothing of the database behind it (as a Tomcat,
 * DBCP2 or c3p0 pool's, or a company's own); a bean with a no-argument constructor, so that a
 * HikariCP pool can be configured with it as {@code dataSourceClassName} and its properties.
 */
public final class UnnamedDataSource implements DataSource {
  private String url;
  private String user;
  private String password;

  /** A data source whose properties are set afterwards (as HikariCP does). */
  public UnnamedDataSource() {}

  /** A data source on {@code url}. */
  public UnnamedDataSource(String url, String user, String password) {
    this.url = url;
    this.user = user;
    this.password = password;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public void setUser(String user) {
    this.user = user;
  }

  public void setPassword(String password) {
    this.password = password;
  }

  @Override
  public Connection getConnection() throws SQLException {
    return DriverManager.getConnection(url, user, password);
  }

  @Override
  public Connection getConnection(String u, String p) throws SQLException {
    return DriverManager.getConnection(url, u, p);
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    throw new SQLException("not a wrapper");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return false;
  }
}
