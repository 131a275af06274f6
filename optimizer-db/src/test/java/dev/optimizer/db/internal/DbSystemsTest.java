package dev.optimizer.db.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.db.internal.sql.SqlDialect;
import org.junit.jupiter.api.Test;

/** What a data source is, read without connecting: the dialect must follow the system. */
class DbSystemsTest {

  private static DbSystems.Description hikariWithClass(String dataSourceClassName) {
    HikariDataSource pool = new HikariDataSource(); // not started: nothing connects
    pool.setDataSourceClassName(dataSourceClassName);
    pool.setPoolName("p");
    return DbSystems.describe(pool);
  }

  @Test
  void aHikariPoolConfiguredWithADataSourceClassGetsThatSystemsDialect() {
    DbSystems.Description pg = hikariWithClass("org.postgresql.ds.PGSimpleDataSource");
    assertThat(pg.system()).isEqualTo("postgresql");
    assertThat(pg.dialect()).isEqualTo(SqlDialect.POSTGRESQL);

    DbSystems.Description maria = hikariWithClass("org.mariadb.jdbc.MariaDbDataSource");
    assertThat(maria.system()).isEqualTo("mariadb");
    assertThat(maria.dialect()).isEqualTo(SqlDialect.MYSQL);

    DbSystems.Description h2 = hikariWithClass("org.h2.jdbcx.JdbcDataSource");
    assertThat(h2.system()).isEqualTo("h2database");
    assertThat(h2.dialect()).isEqualTo(SqlDialect.H2);
  }

  @Test
  void aPoolWithAJdbcUrlIsReadFromTheUrl() {
    HikariDataSource pool = new HikariDataSource();
    pool.setJdbcUrl("jdbc:postgresql://db.example/app");
    pool.setPoolName("p");
    assertThat(DbSystems.describe(pool).dialect()).isEqualTo(SqlDialect.POSTGRESQL);
  }
}
