package dev.optimizer.spring.boot.autoconfigure;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A JDK HTTP server on loopback answering {@code GET /greeting} with a cacheable body ({@code
 * Cache-Control: max-age=60}) and {@code GET /me} with the request's Authorization header (private
 * to that user), counting the requests that reach it.
 */
final class LoopbackServer implements AutoCloseable {
  final AtomicInteger requests = new AtomicInteger();
  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(2);

  LoopbackServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/greeting",
        exchange -> {
          requests.incrementAndGet();
          byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/plain");
          exchange.getResponseHeaders().add("Cache-Control", "max-age=60");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    // Whose request it was: the Authorization header, cacheable for that user only.
    server.createContext(
        "/me",
        exchange -> {
          requests.incrementAndGet();
          String who = exchange.getRequestHeaders().getFirst("Authorization");
          byte[] body = String.valueOf(who).getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/plain");
          exchange.getResponseHeaders().add("Cache-Control", "private, max-age=60");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.setExecutor(executor);
    server.start();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
