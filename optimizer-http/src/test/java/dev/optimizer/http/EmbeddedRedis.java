package dev.optimizer.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import redis.embedded.RedisServer;

/**
 * A real redis-server (6.2, from the embedded-redis jar) on a free loopback port, without
 * persistence, that a test can stop and start again on the same port.
 */
final class EmbeddedRedis implements AutoCloseable {
  private final int port;
  private RedisServer server;

  private EmbeddedRedis(int port) {
    this.port = port;
  }

  /** Starts a server on a free port. */
  public static EmbeddedRedis start() {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    EmbeddedRedis redis = new EmbeddedRedis(port);
    redis.resume();
    return redis;
  }

  /** The server's {@code redis://} URI. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Stops the server (its data is lost). */
  public synchronized void stop() {
    if (server != null) {
      try {
        server.stop();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      server = null;
    }
  }

  /** Starts the server again on the same port. */
  public synchronized void resume() {
    try {
      server =
          RedisServer.newRedisServer()
              .port(port)
              .bind("127.0.0.1")
              .setting("save \"\"")
              .setting("appendonly no")
              .build();
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start redis-server on port " + port, e);
    }
  }

  @Override
  public void close() {
    stop();
  }
}
