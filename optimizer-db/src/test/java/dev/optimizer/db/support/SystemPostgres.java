package dev.optimizer.db.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The machine's own PostgreSQL 15 (Debian's {@code postgresql-15}, with {@code
 * postgresql-15-hypopg}), started for a test class in a temporary directory on a free port and
 * stopped by {@link #close()}. PostgreSQL refuses to run as root, so as root the server runs as
 * {@code nobody} (through {@code runuser}) in a directory that user owns. {@code
 * pg_stat_statements} is preloaded.
 */
public final class SystemPostgres implements AutoCloseable {
  /** Where Debian puts the server binaries. */
  public static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

  private static final Path EXTENSIONS = Path.of("/usr/share/postgresql/15/extension");

  private final Path dir;
  private final int port;
  private final Process server;

  private SystemPostgres(Path dir, int port, Process server) {
    this.dir = dir;
    this.port = port;
    this.server = server;
  }

  /** Why this machine cannot run the server with HypoPG, or null when it can. */
  public static String unavailableReason() {
    if (!Files.isExecutable(BIN.resolve("postgres"))) {
      return "PostgreSQL 15 is not installed (" + BIN + "; apt-get install postgresql-15)";
    }
    if (!Files.exists(EXTENSIONS.resolve("hypopg.control"))) {
      return "HypoPG is not installed (apt-get install postgresql-15-hypopg)";
    }
    if (isRoot() && !Files.isExecutable(Path.of("/usr/sbin/runuser"))) {
      return "running as root without runuser to start PostgreSQL as another user";
    }
    return null;
  }

  /** Starts a fresh server; call {@link #unavailableReason()} first. */
  public static SystemPostgres start() throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("optimizer-pg15");
    if (isRoot()) {
      run(List.of("chown", "nobody", dir.toString()));
    }
    Path data = dir.resolve("data");
    run(
        asServerUser(
            List.of(
                BIN.resolve("initdb").toString(),
                "-D",
                data.toString(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync")));
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Process server =
        new ProcessBuilder(
                asServerUser(
                    List.of(
                        BIN.resolve("postgres").toString(),
                        "-D",
                        data.toString(),
                        "-p",
                        Integer.toString(port),
                        "-k",
                        dir.toString(),
                        "-c",
                        "listen_addresses=127.0.0.1",
                        "-c",
                        "fsync=off",
                        "-c",
                        "shared_preload_libraries=pg_stat_statements")))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("server.log").toFile())
            .start();
    SystemPostgres pg = new SystemPostgres(dir, port, server);
    pg.awaitReady(Duration.ofSeconds(60));
    return pg;
  }

  /** The JDBC URL of a database on this server. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  private void awaitReady(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new IOException(
            "PostgreSQL 15 exited at start: " + Files.readString(dir.resolve("server.log")));
      }
      try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), "postgres", "")) {
        return;
      } catch (SQLException e) {
        last = e;
        server.waitFor(50, TimeUnit.MILLISECONDS); // waiting for the server's socket, not time
      }
    }
    close();
    throw new IOException("PostgreSQL 15 did not accept connections in " + timeout, last);
  }

  /** Stops the server (fast shutdown) and deletes its directory. */
  @Override
  public void close() {
    try {
      if (server.isAlive()) {
        run(List.of("kill", "-INT", Long.toString(server.pid())));
        if (!server.waitFor(20, TimeUnit.SECONDS)) {
          server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      }
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not clean up " + dir, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static List<String> asServerUser(List<String> command) {
    if (!isRoot()) {
      return command;
    }
    List<String> out = new ArrayList<>(List.of("/usr/sbin/runuser", "-u", "nobody", "--"));
    out.addAll(command);
    return out;
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output);
    }
  }
}
