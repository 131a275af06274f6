package dev.optimizer.runtime.cache.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One Redis server as a cache tier uses it (Lettuce): a command connection, a pub/sub connection
 * subscribed to the tier's channel, and an identity so that an instance ignores what it published
 * itself. The tiers built on it keep only their data model (keys, values, messages).
 *
 * <p>Connecting: one named daemon thread makes the first connections and, after a failure, tries
 * again every second until both are made; the first attempt may instead run on the caller ({@link
 * FirstAttempt#ON_CALLER}), so that a tier built while Redis is up uses it from its first request.
 * A caller interrupted during that attempt keeps its interrupt status, and the connector thread
 * carries on. Once made, Lettuce re-makes a lost connection and re-subscribes. While there is no
 * open command connection {@link #connection()} answers null, so that callers fail at once instead
 * of queueing (commands given to a disconnected connection are rejected, not buffered).
 *
 * <p>Every command is bounded by the settings' command timeout; the connect timeout is 1 s.
 *
 * <p>Messages: {@link #publish(byte[])} sends the payload after this link's random 8-byte id; a
 * message carrying this link's own id is not passed on. {@link #close()} releases the connections,
 * the connector thread and Lettuce's threads; after it no callback is made. Thread-safe.
 */
public final class RedisLink implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(RedisLink.class.getName());
  private static final int ID_BYTES = Long.BYTES;
  private static final long NO_ONE = 0;
  private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(1);

  /** Where the first connection attempt runs. */
  public enum FirstAttempt {
    /** On the thread calling {@link #open}, bounded by the connect and command timeouts. */
    ON_CALLER,
    /** On the connector thread; {@link #open} returns at once. */
    IN_BACKGROUND
  }

  /**
   * What the link tells its tier. Called on Lettuce's event threads: keep each call short, and do
   * not wait there for a Redis command. Exceptions are caught and logged.
   */
  public interface Listener {
    /**
     * Another instance published {@code payload}. A message too short to carry a sender comes as an
     * empty payload, which the tier's decoder refuses as it refuses any unreadable message.
     */
    void received(byte[] payload);

    /**
     * The channel was subscribed (again) or lost: messages published meanwhile may have been
     * missed.
     */
    default void mayHaveMissed() {}

    /**
     * The command connection was lost; Redis may come back without what was written meanwhile (a
     * restart, a failover).
     */
    default void disconnected() {}

    /** An attempt to connect failed; another follows in a second. */
    default void connectFailed(Exception e) {}
  }

  private final long id;
  private final byte[] channel;
  private final Duration commandTimeout;
  private final Duration setupTimeout;
  private final Listener listener;
  private final RedisClient client;
  private final ScheduledExecutorService connector;
  private volatile StatefulRedisConnection<byte[], byte[]> connection;
  private volatile StatefulRedisPubSubConnection<byte[], byte[]> pubsub;
  private volatile boolean closed;

  private RedisLink(RedisTierSettings settings, String threadName, Listener listener) {
    long random;
    do {
      random = new SecureRandom().nextLong();
    } while (random == NO_ONE);
    this.id = random;
    this.channel = settings.channel().getBytes(StandardCharsets.UTF_8);
    this.commandTimeout = settings.commandTimeout();
    this.listener = listener;
    RedisURI uri = RedisURI.create(settings.uri());
    // The handshake (HELLO, AUTH, SELECT) and SUBSCRIBE are made once per connection, off the
    // request path: a 50 ms command timeout there made a connect on a busy machine fail, and the
    // tier then went without Redis for a second. Data commands keep the command timeout.
    this.setupTimeout = setupTimeout(commandTimeout);
    uri.setTimeout(setupTimeout);
    this.client = RedisClient.create(uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(
                TimeoutOptions.builder()
                    .timeoutSource(new CommandTimeouts(commandTimeout, setupTimeout))
                    .build())
            .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(1)).build())
            .build());
    this.connector =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Opens a link to the server of {@code settings}, subscribed to {@link
   * RedisTierSettings#channel()}.
   *
   * @param threadName the name of the connector thread (named after the tier and its cache)
   * @param first where the first connection attempt runs
   * @param listener told about messages and connection events
   */
  public static RedisLink open(
      RedisTierSettings settings, String threadName, FirstAttempt first, Listener listener) {
    RedisLink link = new RedisLink(settings, threadName, listener);
    if (first == FirstAttempt.ON_CALLER) {
      link.connect();
    } else {
      link.connector.execute(link::connect);
    }
    return link;
  }

  private void connect() {
    if (closed) {
      return;
    }
    StatefulRedisPubSubConnection<byte[], byte[]> p = null;
    try {
      if (connection == null) {
        StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE);
        c.addListener(
            new RedisConnectionStateListener() {
              @Override
              public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
                tell(listener::disconnected);
              }
            });
        connection = c;
      }
      if (pubsub == null) {
        p = client.connectPubSub(ByteArrayCodec.INSTANCE);
        p.addListener(
            new RedisPubSubAdapter<byte[], byte[]>() {
              @Override
              public void message(byte[] from, byte[] message) {
                onMessage(message);
              }

              @Override
              public void subscribed(byte[] to, long count) {
                tell(listener::mayHaveMissed); // (re)subscribed: what came before is unknown
              }
            });
        p.addListener(
            new RedisConnectionStateListener() {
              @Override
              public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
                tell(listener::mayHaveMissed);
              }
            });
        p.async().subscribe(channel).get(setupTimeout.toMillis(), TimeUnit.MILLISECONDS);
        pubsub = p;
        p = null;
      }
      if (closed) {
        close(); // closed while connecting: release what was just made
      }
    } catch (InterruptedException e) {
      // The caller's interrupt (the first attempt may run on it) is the caller's: keep it, and
      // leave the rest to the connector thread at once (it is no failure of Redis). Returning
      // without that left the link with no subscription for good, its half-made pub/sub
      // connection open beside it.
      Thread.currentThread().interrupt();
      if (p != null) {
        closeQuietly(p);
      }
      if (!closed) {
        try {
          connector.execute(this::connect);
        } catch (RuntimeException rejected) {
          // closed meanwhile
        }
      }
    } catch (Exception e) {
      LOG.log(System.Logger.Level.DEBUG, () -> "connecting to Redis failed: " + e);
      if (p != null) {
        closeQuietly(p);
      }
      if (!closed) {
        tell(() -> listener.connectFailed(e));
        try {
          connector.schedule(this::connect, 1, TimeUnit.SECONDS);
        } catch (RuntimeException rejected) {
          // closed meanwhile
        }
      }
    }
  }

  private void onMessage(byte[] message) {
    if (message.length < ID_BYTES) {
      tell(() -> listener.received(new byte[0]));
      return;
    }
    if (ByteBuffer.wrap(message).getLong() == id) {
      return; // our own: the tier acted on it when it published
    }
    byte[] payload = Arrays.copyOfRange(message, ID_BYTES, message.length);
    tell(() -> listener.received(payload));
  }

  /** Runs a listener call unless closed; a listener's failure must not break Lettuce's thread. */
  private void tell(Runnable call) {
    if (closed) {
      return;
    }
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "a Redis tier's listener failed", e);
    }
  }

  /**
   * The command connection, or null while there is none open (not connected yet, reconnecting, or
   * closed). It is made once and kept: Lettuce re-makes the link under the same object, so the
   * commands one caller sends on it are answered in order.
   */
  public StatefulRedisConnection<byte[], byte[]> connection() {
    StatefulRedisConnection<byte[], byte[]> c = connection;
    return closed || c == null || !c.isOpen() ? null : c;
  }

  /** Whether both connections are made and open and the link is not closed. */
  public boolean connected() {
    StatefulRedisPubSubConnection<byte[], byte[]> p = pubsub;
    return connection() != null && p != null && p.isOpen();
  }

  /** Whether {@link #close()} was called. */
  public boolean closed() {
    return closed;
  }

  /** The limit of one command, from the settings. */
  public Duration commandTimeout() {
    return commandTimeout;
  }

  /**
   * Publishes {@code payload} to the other instances on the channel, on the command connection:
   * after the commands already sent on it, so that once it is answered they are done too.
   *
   * @throws IllegalStateException when there is no open command connection ({@link #connection()}
   *     is null)
   */
  public RedisFuture<Long> publish(byte[] payload) {
    StatefulRedisConnection<byte[], byte[]> c = connection();
    if (c == null) {
      throw new IllegalStateException("not connected to Redis");
    }
    byte[] message =
        ByteBuffer.allocate(ID_BYTES + payload.length).putLong(id).put(payload).array();
    return c.async().publish(channel, message);
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // closing a connection that failed: nothing more to release
    }
  }

  /** At least a second: what a connection's setup may take on a busy machine. */
  static Duration setupTimeout(Duration commandTimeout) {
    return commandTimeout.compareTo(SETUP_TIMEOUT) > 0 ? commandTimeout : SETUP_TIMEOUT;
  }

  /** The command timeout for data commands, the setup timeout for a connection's setup. */
  static final class CommandTimeouts extends TimeoutOptions.TimeoutSource {
    private static final Set<String> SETUP =
        Set.of("HELLO", "AUTH", "SELECT", "CLIENT", "PING", "SUBSCRIBE", "UNSUBSCRIBE", "READONLY");
    private final long commandNanos;
    private final long setupNanos;

    CommandTimeouts(Duration command, Duration setup) {
      this.commandNanos = command.toNanos();
      this.setupNanos = setup.toNanos();
    }

    @Override
    public long getTimeout(RedisCommand<?, ?, ?> command) {
      return SETUP.contains(command.getType().toString()) ? setupNanos : commandNanos;
    }

    @Override
    public TimeUnit getTimeUnit() {
      return TimeUnit.NANOSECONDS;
    }
  }

  /** Closes the connections, the connector thread and the client's threads. */
  @Override
  public void close() {
    closed = true;
    connector.shutdownNow();
    StatefulRedisPubSubConnection<byte[], byte[]> p = pubsub;
    if (p != null) {
      closeQuietly(p);
    }
    StatefulRedisConnection<byte[], byte[]> c = connection;
    if (c != null) {
      closeQuietly(c);
    }
    try {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    } catch (RuntimeException e) {
      // the client's threads are daemons; nothing else holds resources
    }
  }
}
