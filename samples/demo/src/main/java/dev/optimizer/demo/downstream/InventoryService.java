package dev.optimizer.demo.downstream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The downstream price and stock service the catalog calls for every product view: a real HTTP
 * server on loopback. {@code GET /inventory/{id}} answers {@code {"id":..,"price":..,"stock":..}}
 * with {@code Cache-Control: max-age=5}, as price and stock APIs often allow a few seconds of
 * staleness.
 *
 * <p>Its latency has a long tail, drawn from a seeded generator: most answers take 5–20 ms, {@value
 * #SLOW_PERCENT}% take 100–400 ms (a garbage collection, a cold cache, a lock on the other side).
 * Answers are delayed on a scheduler rather than by sleeping, so a slow answer holds no thread. It
 * counts the requests it receives: the calls that reached the real dependency.
 */
public final class InventoryService implements AutoCloseable {
  /** Percent of answers in the slow tail. */
  public static final int SLOW_PERCENT = 5;

  /** How long a client may reuse an answer. */
  public static final int MAX_AGE_SECONDS = 5;

  private final HttpServer server;
  private final ExecutorService handlers;
  private final ScheduledExecutorService delays;
  private final SplittableRandom random;
  private final AtomicLong requests = new AtomicLong();

  private InventoryService(long seed) throws IOException {
    this.random = new SplittableRandom(seed);
    this.server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
    this.handlers = Executors.newFixedThreadPool(4, DaemonThreads.named("demo-inventory"));
    this.delays = Executors.newScheduledThreadPool(2, DaemonThreads.named("demo-inventory-delay"));
    server.setExecutor(handlers);
    server.createContext("/inventory/", this::handle);
    server.start();
  }

  /** Starts the service on an ephemeral loopback port. */
  public static InventoryService start(long seed) {
    try {
      return new InventoryService(seed);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the inventory service on loopback", e);
    }
  }

  /** The base URL, e.g. {@code http://127.0.0.1:PORT}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Requests received since the last {@link #resetCount()}. */
  public long requests() {
    return requests.get();
  }

  /** Starts counting from zero (between phases). */
  public void resetCount() {
    requests.set(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    requests.incrementAndGet();
    String path = exchange.getRequestURI().getPath();
    long id;
    try {
      id = Long.parseLong(path.substring("/inventory/".length()));
    } catch (NumberFormatException e) {
      reply(exchange, 404, "{\"error\":\"no such item\"}", false);
      return;
    }
    long delayMicros = nextDelayMicros();
    // Price and stock move slowly and deterministically per product here; what matters is latency.
    long cents = 500 + (id * 7919) % 20_000;
    long stock = (id * 31) % 250;
    String body =
        "{\"id\":"
            + id
            + ",\"price\":"
            + (cents / 100)
            + "."
            + String.format("%02d", cents % 100)
            + ",\"stock\":"
            + stock
            + "}";
    delays.schedule(() -> reply(exchange, 200, body, true), delayMicros, TimeUnit.MICROSECONDS);
  }

  private long nextDelayMicros() {
    synchronized (random) {
      if (random.nextInt(100) < SLOW_PERCENT) {
        return random.nextLong(100_000, 400_000);
      }
      return random.nextLong(5_000, 20_000);
    }
  }

  private static void reply(HttpExchange exchange, int status, String body, boolean cacheable) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    try (exchange) {
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      if (cacheable) {
        exchange.getResponseHeaders().set("Cache-Control", "max-age=" + MAX_AGE_SECONDS);
      }
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    } catch (IOException e) {
      // the client gave up (a losing hedge is cancelled): nothing to answer
    }
  }

  @Override
  public void close() {
    server.stop(0);
    delays.shutdownNow();
    handlers.shutdownNow();
  }
}
