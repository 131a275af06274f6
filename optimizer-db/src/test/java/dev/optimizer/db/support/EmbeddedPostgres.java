package dev.optimizer.db.support;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One real PostgreSQL server per test run, started from the binaries on the test classpath (no
 * Docker, no network) on first use and stopped when the JVM exits.
 */
public final class EmbeddedPostgres {
  private static io.zonky.test.db.postgres.embedded.EmbeddedPostgres server;

  private EmbeddedPostgres() {}

  /** The running server, started on first call. */
  public static synchronized io.zonky.test.db.postgres.embedded.EmbeddedPostgres server() {
    if (server == null) {
      try {
        Path dir = Files.createTempDirectory("optimizer-pg");
        server =
            io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
                .setOverrideWorkingDirectory(dir.toFile())
                .setCleanDataDirectory(true)
                .setServerConfig("max_connections", "300")
                .start();
      } catch (IOException e) {
        throw new UncheckedIOException("could not start the embedded PostgreSQL", e);
      }
      io.zonky.test.db.postgres.embedded.EmbeddedPostgres started = server;
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      started.close();
                    } catch (IOException e) {
                      // The JVM is exiting; the temp directory goes with the machine's cleanup.
                      System.err.println("embedded PostgreSQL did not stop cleanly: " + e);
                    }
                  },
                  "embedded-postgres-stop"));
    }
    return server;
  }

  /** The JDBC URL of the {@code postgres} database. */
  public static String jdbcUrl() {
    return server().getJdbcUrl("postgres", "postgres");
  }

  /** A new HikariCP pool on the server, with the given maximum size. */
  public static HikariDataSource hikari(String poolName, int maximumPoolSize) {
    return Pools.hikari(jdbcUrl(), "postgres", "postgres", poolName, maximumPoolSize);
  }
}
