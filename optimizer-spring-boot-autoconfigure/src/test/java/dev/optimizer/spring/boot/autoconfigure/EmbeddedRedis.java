package dev.optimizer.spring.boot.autoconfigure;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.List;
import redis.embedded.RedisServer;

/**
 * A real redis-server (6.2, from the embedded-redis jar) on a free loopback port, without
 * persistence, that requires a password: so the URIs the tests give carry one, as production ones
 * often do, and the tests can check that it is never shown.
 */
final class EmbeddedRedis implements AutoCloseable {
  final String password;
  private final int port;
  private final RedisServer server;
  private final RedisClient admin;
  private final StatefulRedisConnection<String, String> connection;

  EmbeddedRedis(String password) {
    this.password = password;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      server =
          RedisServer.newRedisServer()
              .port(port)
              .bind("127.0.0.1")
              .setting("save \"\"")
              .setting("appendonly no")
              .setting("requirepass " + password)
              .build();
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start redis-server on port " + port, e);
    }
    admin = RedisClient.create(uri());
    connection = admin.connect();
  }

  /** The server's URI, with its password. */
  String uri() {
    return "redis://:" + password + "@127.0.0.1:" + port;
  }

  /** The keys under {@code prefix}, asked with a client of the test's own. */
  List<String> keys(String prefix) {
    return connection.sync().keys(prefix + "*");
  }

  /**
   * How many clients are subscribed to {@code channel}: an instance's Redis tier once connected.
   */
  long subscribers(String channel) {
    return connection.sync().pubsubNumsub(channel).getOrDefault(channel, 0L);
  }

  @Override
  public void close() throws IOException {
    connection.close();
    admin.shutdown();
    server.stop();
  }
}
