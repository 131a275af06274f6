package dev.optimizer.benchmarks.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** A real PostgreSQL from the binaries in the benchmark jar, for one scenario run. */
final class Postgres implements AutoCloseable {
  private final EmbeddedPostgres server;

  Postgres() throws IOException {
    this("128MB");
  }

  /** A server with the given buffer cache ({@code shared_buffers}, e.g. {@code "16MB"}). */
  Postgres(String sharedBuffers) throws IOException {
    server =
        EmbeddedPostgres.builder()
            .setOverrideWorkingDirectory(Files.createTempDirectory("optimizer-bench-pg").toFile())
            .setCleanDataDirectory(true)
            .setServerConfig("max_connections", "300")
            .setServerConfig("shared_buffers", sharedBuffers)
            .start();
  }

  /** Runs statements on a connection of its own (setup). */
  void execute(String... statements) throws SQLException {
    try (Connection c =
            DriverManager.getConnection(
                server.getJdbcUrl("postgres", "postgres"), "postgres", "postgres");
        Statement s = c.createStatement()) {
      for (String sql : statements) {
        s.execute(sql);
      }
    }
  }

  HikariDataSource pool(String name, int maximumPoolSize) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(server.getJdbcUrl("postgres", "postgres"));
    c.setUsername("postgres");
    c.setPassword("postgres");
    c.setPoolName(name);
    c.setMaximumPoolSize(maximumPoolSize);
    c.setConnectionTimeout(30_000);
    return new HikariDataSource(c);
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
