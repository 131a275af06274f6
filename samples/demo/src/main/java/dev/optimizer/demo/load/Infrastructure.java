package dev.optimizer.demo.load;

import com.fasterxml.jackson.databind.JsonNode;
import dev.optimizer.ai.testserver.LocalOpenAiServer;
import dev.optimizer.demo.app.DemoData;
import dev.optimizer.demo.downstream.InventoryService;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * What the service depends on, started once for both phases: a real PostgreSQL (embedded, from the
 * jar), the downstream inventory service and a local OpenAI-compatible LLM server, each on
 * loopback. Also what the dependencies themselves saw: statements and scans that reached
 * PostgreSQL, requests the inventory service received, chat calls and tokens the LLM server
 * received.
 */
public final class Infrastructure implements AutoCloseable {
  /** How long the LLM server takes to answer: a small hosted model's typical latency. */
  public static final Duration LLM_LATENCY = Duration.ofMillis(450);

  /** What the dependencies received, cumulative. */
  public record Counters(
      long dbTransactions, long dbScans, long httpRequests, long llmCalls, long llmTokens) {
    /** This minus {@code before}. */
    public Counters minus(Counters before) {
      return new Counters(
          dbTransactions - before.dbTransactions,
          dbScans - before.dbScans,
          httpRequests - before.httpRequests,
          llmCalls - before.llmCalls,
          llmTokens - before.llmTokens);
    }
  }

  private final EmbeddedPostgres postgres;
  private final InventoryService inventory;
  private final LocalOpenAiServer llm;
  private final int prometheusPort;
  private final long seed;
  private long llmDrained;
  private long llmCalls;
  private long llmTokens;

  private Infrastructure(long seed) throws IOException, SQLException {
    this.seed = seed;
    this.postgres =
        EmbeddedPostgres.builder()
            .setOverrideWorkingDirectory(Files.createTempDirectory("optimizer-demo-pg").toFile())
            .setCleanDataDirectory(true)
            .setServerConfig("max_connections", "200")
            .start();
    DemoData.create(postgres.getPostgresDatabase(), seed);
    this.inventory = InventoryService.start(seed);
    this.llm = LocalOpenAiServer.start().latency(LLM_LATENCY);
    try (ServerSocket s = new ServerSocket(0)) {
      this.prometheusPort = s.getLocalPort();
    }
  }

  /** Starts everything and generates the data. */
  public static Infrastructure start(long seed) {
    try {
      return new Infrastructure(seed);
    } catch (IOException | SQLException e) {
      throw new IllegalStateException("cannot start the demo's infrastructure: " + e, e);
    }
  }

  /** The JDBC URL of the demo database. */
  public String jdbcUrl() {
    return postgres.getJdbcUrl("postgres", "postgres");
  }

  /** The inventory service's base URL. */
  public String inventoryUrl() {
    return inventory.baseUrl();
  }

  /** The LLM server's base URL (OpenAI-compatible, {@code .../v1}). */
  public String llmBaseUrl() {
    return llm.baseUrl();
  }

  /** A free loopback port for the service's Prometheus endpoint. */
  public int prometheusPort() {
    return prometheusPort;
  }

  /** Empties the orders and regenerates their history, as before the first phase. */
  public void resetState() {
    try {
      DemoData.resetOrders(postgres.getPostgresDatabase(), seed);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot reset the orders: " + e, e);
    }
  }

  /**
   * What the dependencies have received so far. PostgreSQL's counters come from its statistics
   * views; a backend reports them when its transaction ends or when it exits, so read this after
   * the service's pool is closed.
   */
  public synchronized Counters counters() {
    drainLlm();
    DataSource ds = postgres.getPostgresDatabase();
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      waitForOtherBackendsToExit(s);
      s.execute("SELECT pg_stat_clear_snapshot()");
      long xacts;
      try (ResultSet rs =
          s.executeQuery(
              "SELECT xact_commit + xact_rollback FROM pg_stat_database"
                  + " WHERE datname = current_database()")) {
        rs.next();
        xacts = rs.getLong(1);
      }
      long scans;
      try (ResultSet rs =
          s.executeQuery(
              "SELECT coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0)"
                  + " FROM pg_stat_user_tables")) {
        rs.next();
        scans = rs.getLong(1);
      }
      return new Counters(xacts, scans, inventory.requests(), llmCalls, llmTokens);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read PostgreSQL's statistics: " + e, e);
    }
  }

  private static void waitForOtherBackendsToExit(Statement s) throws SQLException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      try (ResultSet rs =
          s.executeQuery(
              "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
                  + " AND pid <> pg_backend_pid()")) {
        rs.next();
        if (rs.getLong(1) == 0) {
          return;
        }
      }
      try {
        Thread.sleep(50); // polling another process's exit: there is nothing to wait on
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Counts the chat calls and the tokens (as the server bills them: words) received so far. */
  private void drainLlm() {
    long received = llm.chatRequests() + llm.embeddingRequests();
    while (llmDrained < received) {
      LocalOpenAiServer.Recorded r;
      try {
        r = llm.takeRequest();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      llmDrained++;
      if (!r.path().endsWith("/chat/completions")) {
        continue;
      }
      JsonNode body = r.body();
      long tokens = 0;
      for (JsonNode m : body.path("messages")) {
        tokens += 1 + LocalOpenAiServer.words(m.path("content").asText(""));
      }
      String model = body.path("model").asText("unknown");
      tokens += LocalOpenAiServer.words(llm.answerFor(model, r.lastUserText()));
      llmTokens += tokens;
      llmCalls++;
    }
  }

  @Override
  public void close() {
    llm.close();
    inventory.close();
    try {
      postgres.close();
    } catch (IOException e) {
      // the temporary directory is removed on the next run (clean data directory)
    }
  }
}
