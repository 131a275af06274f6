package dev.optimizer.runtime.cache.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.List;
import redis.embedded.RedisServer;
import redis.embedded.core.RedisServerBuilder;

/**
 * A real redis-server (6.2, from the embedded-redis jar) on a free loopback port, without
 * persistence, that a test can stop and start again on the same port; optionally requiring a
 * password, so that the URIs a test gives carry one, as production ones often do, and the test can
 * check that it is never shown.
 *
 * <p>Shared by the Redis tiers' tests of every module through optimizer-runtime's test-jar.
 */
public final class EmbeddedRedis implements AutoCloseable {
  private final int port;
  private final String password;
  private RedisServer server;
  private RedisClient admin;
  private StatefulRedisConnection<String, String> connection;

  private EmbeddedRedis(int port, String password) {
    this.port = port;
    this.password = password;
  }

  /** Starts a server on a free port. */
  public static EmbeddedRedis start() {
    return start(null);
  }

  /** Starts a server on a free port that requires {@code password} (none when null). */
  public static EmbeddedRedis start(String password) {
    EmbeddedRedis redis = new EmbeddedRedis(freePort(), password);
    redis.resume();
    return redis;
  }

  /** A server on a free port that is not started yet: {@link #resume()} starts it. */
  public static EmbeddedRedis stopped() {
    return new EmbeddedRedis(freePort(), null);
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The server's {@code redis://} URI, with its password if it has one. */
  public String uri() {
    return password == null
        ? "redis://127.0.0.1:" + port
        : "redis://:" + password + "@127.0.0.1:" + port;
  }

  /** The server's port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** The password the server requires, or null. */
  public String password() {
    return password;
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

  /** Starts the server again on the same port (or for the first time, after {@link #stopped}). */
  public synchronized void resume() {
    RedisServerBuilder b =
        RedisServer.newRedisServer()
            .port(port)
            .bind("127.0.0.1")
            .setting("save \"\"")
            .setting("appendonly no");
    if (password != null) {
      b.setting("requirepass " + password);
    }
    try {
      server = b.build();
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start redis-server on port " + port, e);
    }
  }

  /** The keys under {@code prefix}, asked with a client of the test's own. */
  public List<String> keys(String prefix) {
    return admin().sync().keys(prefix + "*");
  }

  /** How many clients are subscribed to {@code channel}: a Redis tier once connected. */
  public long subscribers(String channel) {
    return admin().sync().pubsubNumsub(channel).getOrDefault(channel, 0L);
  }

  private synchronized StatefulRedisConnection<String, String> admin() {
    if (connection == null) {
      admin = RedisClient.create(uri());
      connection = admin.connect();
    }
    return connection;
  }

  @Override
  public synchronized void close() {
    if (connection != null) {
      connection.close();
      admin.shutdown();
      connection = null;
    }
    stop();
  }
}
