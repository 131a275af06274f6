package dev.optimizer.db.internal.sql;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SqlDialectTest {

  @ParameterizedTest
  @CsvSource(
      nullValues = "null",
      value = {
        "jdbc:postgresql://localhost:5432/app, POSTGRESQL",
        "JDBC:PostgreSQL://h/db, POSTGRESQL",
        "jdbc:tc:postgresql:16:///app, POSTGRESQL",
        "jdbc:otel:postgresql://h/db, POSTGRESQL",
        "jdbc:mysql://localhost/app, MYSQL",
        "jdbc:mariadb://localhost/app, MYSQL",
        "jdbc:h2:mem:test;MODE=PostgreSQL, H2",
        "jdbc:h2:file:/data/mysql, H2",
        "jdbc:sqlserver://h;databaseName=postgresql, GENERIC",
        "jdbc:oracle:thin:@h:1521/x, GENERIC",
        "jdbc:derby://h/mysql, GENERIC",
        "postgresql://h/db, GENERIC",
        "null, GENERIC"
      })
  void fromJdbcUrl(String url, SqlDialect expected) {
    assertThat(SqlDialect.fromJdbcUrl(url)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(
      nullValues = "null",
      value = {
        "PostgreSQL, POSTGRESQL",
        "MySQL, MYSQL",
        "MariaDB, MYSQL",
        "H2, H2",
        "Oracle, GENERIC",
        "Microsoft SQL Server, GENERIC",
        "null, GENERIC"
      })
  void fromProductName(String name, SqlDialect expected) {
    assertThat(SqlDialect.fromProductName(name)).isEqualTo(expected);
  }
}
