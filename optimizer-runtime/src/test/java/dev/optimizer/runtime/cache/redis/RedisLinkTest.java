package dev.optimizer.runtime.cache.redis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.optimizer.runtime.cache.redis.RedisLink.FirstAttempt;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandType;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** RedisLink against a real redis-server: late start, restart, its own messages, close. */
class RedisLinkTest {
  private static final long WAIT_SECONDS = 15;

  /** Settings as a module's would be: the base class with a default prefix. */
  static final class Settings extends RedisTierSettings {
    private Settings(Builder b) {
      super(b);
    }

    static Builder builder(String uri) {
      return new Builder(uri);
    }

    static final class Builder extends RedisTierSettings.Builder<Builder> {
      private Builder(String uri) {
        super(uri, "test:link:");
      }

      Settings build() {
        return new Settings(this);
      }
    }
  }

  /** Records what the link says; each event is a permit to wait for. */
  static final class Events implements RedisLink.Listener {
    final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    final Semaphore mayHaveMissed = new Semaphore(0);
    final Semaphore disconnected = new Semaphore(0);
    final AtomicInteger connectFailures = new AtomicInteger();

    @Override
    public void received(byte[] payload) {
      received.add(payload);
    }

    @Override
    public void mayHaveMissed() {
      mayHaveMissed.release();
    }

    @Override
    public void disconnected() {
      disconnected.release();
    }

    @Override
    public void connectFailed(Exception e) {
      connectFailures.incrementAndGet();
    }

    String next() throws InterruptedException {
      byte[] b = received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
      assertThat(b).as("a message within %d s", WAIT_SECONDS).isNotNull();
      return new String(b, UTF_8);
    }
  }

  private static void await(Semaphore events, String what) throws InterruptedException {
    assertThat(events.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS))
        .as("%s within %d s", what, WAIT_SECONDS)
        .isTrue();
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("%s within %d s", what, WAIT_SECONDS).isLessThan(deadline);
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // polls a condition; no event
    }
  }

  @Test
  void connectsWhenRedisStartsAfterTheLink() throws Exception {
    try (EmbeddedRedis redis = EmbeddedRedis.stopped()) {
      Events events = new Events();
      try (RedisLink link =
          RedisLink.open(
              Settings.builder(redis.uri()).build(),
              "optimizer-redis-connect late",
              FirstAttempt.ON_CALLER,
              events)) {
        assertThat(link.connected()).isFalse();
        assertThat(link.connection()).isNull();
        assertThat(events.connectFailures.get()).isPositive(); // the attempt made on the caller
        assertThatThrownBy(() -> link.publish(new byte[1]))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("not connected");

        redis.resume();
        await(events.mayHaveMissed, "the subscription once Redis is up");
        await(link::connected, "both connections");
        assertThat(redis.subscribers("test:link:invalidations")).isEqualTo(1);
        assertThat(link.connection().sync().ping()).isEqualTo("PONG");
      }
    }
  }

  @Test
  void reconnectsAndResubscribesWhenRedisComesBack() throws Exception {
    try (EmbeddedRedis redis = EmbeddedRedis.start("s3cret")) {
      Settings settings = Settings.builder(redis.uri()).keyPrefix("test:restart:").build();
      Events events = new Events();
      Events other = new Events();
      try (RedisLink link =
              RedisLink.open(
                  settings, "optimizer-redis-connect a", FirstAttempt.ON_CALLER, events);
          RedisLink peer =
              RedisLink.open(
                  settings, "optimizer-redis-connect b", FirstAttempt.ON_CALLER, other)) {
        assertThat(link.connected()).as("connected on the caller").isTrue();
        assertThat(events.connectFailures.get()).isZero();
        await(events.mayHaveMissed, "the first subscription");

        redis.stop();
        await(events.disconnected, "the command connection's loss");
        await(events.mayHaveMissed, "the channel's loss");
        await(() -> link.connection() == null, "no connection to use while Redis is down");

        redis.resume();
        await(events.mayHaveMissed, "the subscription made again");
        await(other.mayHaveMissed, "the peer's subscription made again");
        await(() -> link.connected() && peer.connected(), "both links back");
        peer.publish("after the restart".getBytes(UTF_8)).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(events.next()).isEqualTo("after the restart");
      }
    }
  }

  @Test
  void passesOnOnlyWhatOtherInstancesPublish() throws Exception {
    try (EmbeddedRedis redis = EmbeddedRedis.start()) {
      Settings settings = Settings.builder(redis.uri()).build();
      Events a = new Events();
      Events b = new Events();
      try (RedisLink linkA =
              RedisLink.open(settings, "optimizer-redis-connect a", FirstAttempt.IN_BACKGROUND, a);
          RedisLink linkB =
              RedisLink.open(
                  settings, "optimizer-redis-connect b", FirstAttempt.IN_BACKGROUND, b)) {
        await(() -> linkA.connected() && linkB.connected(), "both links");
        await(() -> redis.subscribers(settings.channel()) == 2, "both subscriptions");

        linkA.publish("from a".getBytes(UTF_8)).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(b.next()).isEqualTo("from a");
        linkB.publish("from b".getBytes(UTF_8)).get(WAIT_SECONDS, TimeUnit.SECONDS);
        // Redis delivers a channel's messages in the order they were published: had A been told
        // of its own message, it would have come before B's.
        assertThat(a.next()).isEqualTo("from b");
        assertThat(a.received).isEmpty();
        assertThat(b.received).isEmpty();

        // A message too short to name its sender comes as an empty payload.
        RedisClient raw = RedisClient.create(redis.uri());
        try (StatefulRedisConnection<String, String> c = raw.connect()) {
          c.sync().publish(settings.channel(), "abc");
        } finally {
          raw.shutdown();
        }
        assertThat(a.received.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEmpty();
        assertThat(b.received.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEmpty();
      }
    }
  }

  @Test
  void closeReleasesItsThreadsAndConnections() throws Exception {
    try (EmbeddedRedis redis = EmbeddedRedis.start()) {
      Settings settings = Settings.builder(redis.uri()).keyPrefix("test:close:").build();
      Set<Thread> before = Thread.getAllStackTraces().keySet();
      Events events = new Events();
      RedisLink link =
          RedisLink.open(
              settings, "optimizer-redis-connect closing", FirstAttempt.ON_CALLER, events);
      // An attempt on the connector thread too, so that it exists to be stopped.
      RedisLink background =
          RedisLink.open(
              settings, "optimizer-redis-connect closing-bg", FirstAttempt.IN_BACKGROUND, events);
      await(() -> link.connected() && background.connected(), "both links");
      Set<Thread> made = new HashSet<>(Thread.getAllStackTraces().keySet());
      made.removeAll(before);
      made.removeIf(
          t -> !t.getName().startsWith("lettuce-") && !t.getName().startsWith("optimizer-redis"));
      assertThat(made)
          .extracting(Thread::getName)
          .anyMatch(n -> n.startsWith("lettuce-"))
          .contains("optimizer-redis-connect closing-bg");
      assertThat(made)
          .filteredOn(t -> t.getName().startsWith("optimizer-"))
          .allMatch(Thread::isDaemon);

      link.close();
      background.close();
      for (Thread t : made) {
        t.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
        assertThat(t.isAlive()).as("%s stopped by close()", t.getName()).isFalse();
      }
      assertThat(link.closed()).isTrue();
      assertThat(link.connection()).isNull();
      await(() -> redis.subscribers(settings.channel()) == 0, "the subscriptions ended");
      int told = events.mayHaveMissed.availablePermits();
      redis.stop(); // no callback once closed
      assertThat(events.mayHaveMissed.availablePermits()).isEqualTo(told);
      assertThat(events.disconnected.availablePermits()).isZero();
    }
  }

  @Test
  void aFirstConnectInterruptedWhileSubscribingKeepsTheFlagAndIsRetried() throws Exception {
    // The first attempt runs on the caller (a thread building a tier), which may be interrupted,
    // say by a shutdown or a cancelled task. Interrupted while waiting for SUBSCRIBE's answer, the
    // link kept the flag but neither retried nor closed the half-made pub/sub connection: it
    // stayed unsubscribed for good, and the tier never heard another instance's invalidation.
    try (EmbeddedRedis redis = EmbeddedRedis.start();
        SubscribeHoldingProxy proxy = new SubscribeHoldingProxy(redis.port())) {
      Settings settings =
          Settings.builder("redis://127.0.0.1:" + proxy.port()).keyPrefix("test:intr:").build();
      Events events = new Events();
      Thread caller = Thread.currentThread();
      proxy.onHeldSubscribe = caller::interrupt;
      RedisLink link;
      try {
        link =
            RedisLink.open(
                settings, "optimizer-redis-connect interrupted", FirstAttempt.ON_CALLER, events);
      } finally {
        // The caller's interrupt is its own to handle: kept, not swallowed. Cleared here so that
        // the waits below work.
        assertThat(Thread.interrupted()).as("interrupt status kept").isTrue();
        proxy.release();
      }
      try (link) {
        await(link::connected, "both connections, made again in background");
        await(() -> redis.subscribers(settings.channel()) == 1, "one subscription");
        assertThat(link.connection().sync().ping()).isEqualTo("PONG");
        // The half-made pub/sub connection was closed, not subscribed late beside the new one.
        assertThat(redis.subscribers(settings.channel())).isEqualTo(1);
      }
    }
  }

  @Test
  void settingsAreCheckedNamingTheSettingTheRangeAndTheValue() {
    assertThatThrownBy(() -> Settings.builder("http://user:secret@cache:6379"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("remote uri must be a redis:// or rediss:// URI")
        .hasMessageContaining("http://***@cache:6379")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> Settings.builder("redis://:secret@"))
        .hasMessageContaining("must name a host")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> Settings.builder("redis://h").commandTimeout(Duration.ZERO))
        .hasMessage("commandTimeout must be in [PT0.001S, PT10S], but was PT0S");
    assertThatThrownBy(() -> Settings.builder("redis://h").keyPrefix("p".repeat(201)))
        .hasMessage("keyPrefix length must be in [1, 200], but was 201");
    Settings s =
        Settings.builder(" rediss://:pw@h:1 ").commandTimeout(Duration.ofSeconds(1)).build();
    assertThat(s.uri()).isEqualTo("rediss://:pw@h:1");
    assertThat(s.channel()).isEqualTo("test:link:invalidations");
    assertThat(s).hasToString("Settings{keyPrefix=test:link:, commandTimeout=PT1S}");
  }

  @Test
  void aConnectionsSetupGetsAtLeastASecondWhileDataCommandsKeepTheCommandTimeout() {
    Duration command = Duration.ofMillis(50);
    RedisLink.CommandTimeouts t =
        new RedisLink.CommandTimeouts(command, RedisLink.setupTimeout(command));
    for (CommandType setup : List.of(CommandType.HELLO, CommandType.AUTH, CommandType.SUBSCRIBE)) {
      assertThat(t.getTimeout(new Command<>(setup, null)))
          .as(setup.name())
          .isEqualTo(TimeUnit.SECONDS.toNanos(1));
    }
    for (CommandType data : List.of(CommandType.GET, CommandType.SET, CommandType.PUBLISH)) {
      assertThat(t.getTimeout(new Command<>(data, null)))
          .as(data.name())
          .isEqualTo(command.toNanos());
    }
    assertThat(RedisLink.setupTimeout(Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
  }
}
