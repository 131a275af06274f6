package dev.optimizer.samples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.optimizer.http.HttpOptimizer;
import dev.optimizer.runtime.Optimizer;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * optimizer-http in front of the JDK's {@link HttpClient}, against a loopback server with a
 * cacheable resource ({@code Cache-Control: max-age=60}) and a slow one (300 ms): repeated GETs of
 * the first are served from the cache, and concurrent identical GETs of the second become one
 * request. The server counts what reaches it.
 *
 * <p>Run: {@code ./mvnw -q -pl samples/plain-java -am package -DskipTests && java -cp
 * "samples/plain-java/target/classes:$(cat samples/plain-java/target/classpath.txt)"
 * dev.optimizer.samples.HttpSample}
 */
public final class HttpSample {
  private HttpSample() {}

  /** Requests the client made and the server saw, and the optimizer's counters. */
  public record Result(
      int clientGets,
      int serverSawCached,
      int serverSawSlowRaw,
      int serverSawSlowWrapped,
      HttpOptimizer.Stats stats) {}

  /** Runs the requests and prints what reached the server. */
  public static void main(String[] args) throws Exception {
    Result r = run(20);
    System.out.printf(
        """
        %1$d GETs of /price (max-age=60):        server saw %2$d
        %1$d concurrent GETs of /report, raw:     server saw %3$d
        %1$d concurrent GETs of /report, wrapped: server saw %4$d
        %5$s%n""",
        r.clientGets(),
        r.serverSawCached(),
        r.serverSawSlowRaw(),
        r.serverSawSlowWrapped(),
        r.stats());
  }

  /** Sends {@code n} GETs of each resource (the slow one raw, then wrapped). */
  public static Result run(int n) throws Exception {
    AtomicInteger priceHits = new AtomicInteger();
    AtomicInteger reportHits = new AtomicInteger();
    ExecutorService serverThreads = Executors.newFixedThreadPool(n);
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/price", ex -> reply(ex, priceHits, 0, "max-age=60", "42.00 EUR"));
    server.createContext(
        "/report", ex -> reply(ex, reportHits, 300, "no-store", "the daily report"));
    server.setExecutor(serverThreads);
    server.start();
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    HttpClient raw = HttpClient.newHttpClient();
    try (Optimizer optimizer = Optimizer.builder().openTelemetry(OpenTelemetry.noop()).build()) {
      HttpOptimizer http = HttpOptimizer.create(optimizer);
      HttpClient client = http.wrap(raw);

      for (int i = 0; i < n; i++) { // one request reaches the server; the rest are cache hits
        client.send(
            HttpRequest.newBuilder(base.resolve("/price")).build(), BodyHandlers.ofString());
      }
      concurrentGets(raw, base.resolve("/report"), n);
      int rawReports = reportHits.getAndSet(0);
      concurrentGets(client, base.resolve("/report"), n); // in flight together: one request
      return new Result(n, priceHits.get(), rawReports, reportHits.get(), http.stats());
    } finally {
      server.stop(0);
      serverThreads.shutdownNow();
    }
  }

  /** Sends {@code n} identical GETs at once and waits for every answer. */
  private static void concurrentGets(HttpClient client, URI uri, int n) {
    HttpRequest get = HttpRequest.newBuilder(uri).build();
    CompletableFuture.allOf(
            IntStream.range(0, n)
                .mapToObj(i -> client.sendAsync(get, BodyHandlers.ofString()))
                .toArray(CompletableFuture[]::new))
        .join();
  }

  /** The origin: counts the request, takes {@code millis} (a slow backend), answers. */
  private static void reply(
      HttpExchange ex, AtomicInteger hits, long millis, String cacheControl, String body)
      throws IOException {
    hits.incrementAndGet();
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Cache-Control", cacheControl);
    ex.sendResponseHeaders(200, bytes.length);
    try (var out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }
}
