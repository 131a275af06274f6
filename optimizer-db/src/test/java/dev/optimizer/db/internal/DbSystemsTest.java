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

  @Test
  void onlyTheUrlsSubProtocolNamesTheSystem() {
    HikariDataSource h2 = new HikariDataSource();
    h2.setJdbcUrl("jdbc:h2:mem:postgres_mode;MODE=PostgreSQL");
    assertThat(DbSystems.describe(h2).system()).isEqualTo("h2database");
    HikariDataSource maria = new HikariDataSource();
    maria.setJdbcUrl("jdbc:mariadb://postgres-migration.example/app");
    assertThat(DbSystems.describe(maria).system()).isEqualTo("mariadb");
    HikariDataSource pg = new HikariDataSource();
    pg.setJdbcUrl("jdbc:tc:postgresql:16:///app");
    assertThat(DbSystems.describe(pg).system()).isEqualTo("postgresql");
  }

  @Test
  void theSystemOfAConnectionIsWhatTheServerSaysItIs() {
    assertThat(DbSystems.systemOf("PostgreSQL", "16.4", "jdbc:postgresql://h/db"))
        .isEqualTo("postgresql");
    assertThat(DbSystems.systemOf("MariaDB", "11.4.2-MariaDB", "jdbc:mariadb://h/db"))
        .isEqualTo("mariadb");
    // MariaDB's driver on a MySQL server, MySQL's driver on a MariaDB server.
    assertThat(DbSystems.systemOf("MySQL", "8.4.0", "jdbc:mariadb://h/db")).isEqualTo("mysql");
    assertThat(DbSystems.systemOf("MySQL", "5.5.5-11.4.2-MariaDB", "jdbc:mysql://h/db"))
        .isEqualTo("mariadb");
    assertThat(DbSystems.systemOf("H2", "2.3.232", "jdbc:h2:mem:x")).isEqualTo("h2database");
    assertThat(DbSystems.systemOf("Microsoft SQL Server", "16.0", "jdbc:sqlserver://h"))
        .isEqualTo("microsoft.sql_server");
    assertThat(DbSystems.systemOf("Oracle", "23.0", "jdbc:oracle:thin:@//h:1521/x"))
        .isEqualTo("oracle.db");
    // A product it does not know: the URL's sub-protocol, never its host.
    assertThat(DbSystems.systemOf("CrateDB", "5", "jdbc:postgresql://h/db"))
        .isEqualTo("postgresql");
    assertThat(DbSystems.systemOf("Foo", "1", "jdbc:foo://mysql.example/db")).isNull();
    assertThat(DbSystems.systemOf(null, null, null)).isNull();
  }
}
