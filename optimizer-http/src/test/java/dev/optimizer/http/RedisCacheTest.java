package dev.optimizer.http;

import static dev.optimizer.http.MockHttpServer.Response.ok;
import static dev.optimizer.http.MockHttpServer.Response.status;
import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.cache.redis.EmbeddedRedis;
import dev.optimizer.testing.ManualTime;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two application instances (two optimizers on one manual clock, each with its own HttpOptimizer
 * and in-process tier) sharing one real redis-server (6.2, embedded-redis, started once), against a
 * real HTTP server on loopback. Each test uses its own key prefix.
 */
class RedisCacheTest {
  private static final AtomicInteger prefixes = new AtomicInteger();
  private static EmbeddedRedis redis;
  private static RedisClient adminClient;
  private static StatefulRedisConnection<byte[], byte[]> admin;

  private final ManualTime time = ManualTime.create();
  private final List<Optimizer> optimizers = new ArrayList<>();
  private final HttpClient raw =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private MockHttpServer server;
  private String prefix;

  /** One application instance: its optimizer's HttpOptimizer and a client it wrapped. */
  record Instance(HttpOptimizer http, HttpClient client) {
    HttpResponse<String> get(URI uri, String... headers) throws Exception {
      HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET();
      for (int i = 0; i < headers.length; i += 2) {
        b.header(headers[i], headers[i + 1]);
      }
      return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(URI uri) throws Exception {
      return client.send(
          HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
          HttpResponse.BodyHandlers.ofString());
    }

    HttpOptimizer.Stats stats() {
      return http.stats();
    }
  }

  @BeforeAll
  static void startRedis() {
    redis = EmbeddedRedis.start();
    adminClient = RedisClient.create(redis.uri());
    admin = adminClient.connect(ByteArrayCodec.INSTANCE);
  }

  @AfterAll
  static void stopRedis() {
    admin.close();
    adminClient.shutdown();
    redis.close();
  }

  @BeforeEach
  void start() throws Exception {
    server = new MockHttpServer();
    prefix = "t" + prefixes.incrementAndGet() + ":";
  }

  @AfterEach
  void stop() {
    optimizers.forEach(Optimizer::close);
    server.close();
  }

  private Instance instance() {
    return instance(redis, r -> r, b -> b);
  }

  private Instance instance(
      EmbeddedRedis on,
      UnaryOperator<RemoteCacheSettings.Builder> remote,
      UnaryOperator<HttpOptimizerBuilder> settings) {
    Optimizer optimizer =
        Optimizer.builder().clock(time.clock()).ticker(time.ticker()).manualTuning().build();
    optimizers.add(optimizer);
    HttpOptimizerBuilder b =
        HttpOptimizer.builder(optimizer)
            .coalescing(false)
            .hedging(false)
            .maxAttempts(1)
            .adaptiveLimit(false)
            .circuitBreaker(false)
            .cacheRemote(
                remote.apply(RemoteCacheSettings.builder(on.uri()).keyPrefix(prefix)).build());
    HttpOptimizer http = settings.apply(b).build();
    return new Instance(http, http.wrap(raw));
  }

  /** Waits (at most 5 s) until one entry under this test's prefix holds every text. */
  private void awaitStored(String... texts) {
    Await.until(
        () -> {
          for (byte[] key : admin.sync().keys(prefix + "*")) {
            byte[] value = admin.sync().get(key);
            String s = value == null ? "" : new String(value, StandardCharsets.ISO_8859_1);
            boolean all = true;
            for (String t : texts) {
              all &= s.contains(t);
            }
            if (all) {
              return true;
            }
          }
          return false;
        },
        "an entry holding " + String.join(", ", texts));
  }

  private List<byte[]> keys() {
    return admin.sync().keys(prefix + "*");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void anotherInstanceServesAStoredResponseWithoutAskingTheOriginAndAgesItCorrectly()
      throws Exception {
    Instance a = instance();
    Instance b = instance();
    URI uri = server.url("/shared");
    server.enqueue(ok("one").header("Cache-Control", "max-age=60").header("Age", "5"));
    server.enqueue(ok("two").header("Cache-Control", "max-age=60"));

    assertThat(a.get(uri).body()).isEqualTo("one");
    awaitStored("one");
    time.advance(Duration.ofSeconds(20));

    HttpResponse<String> fromRedis = b.get(uri);
    assertThat(fromRedis.body()).isEqualTo("one");
    // The origin's Age (5 s) plus the 20 s since it answered, counted on B from A's times.
    assertThat(fromRedis.headers().firstValue("Age")).hasValue("25");
    assertThat(server.requestCount()).isEqualTo(1);
    assertThat(b.stats().remoteHits()).isEqualTo(1);
    assertThat(b.stats().cacheHits()).isEqualTo(1);

    time.advance(Duration.ofSeconds(10)); // B's copy is now in its in-process tier
    assertThat(b.get(uri).headers().firstValue("Age")).hasValue("35");
    assertThat(b.stats().remoteHits()).isEqualTo(1);

    time.advance(Duration.ofSeconds(26)); // 61 s old: stale
    assertThat(b.get(uri).body()).isEqualTo("two");
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void redisKeepsAnEntryNoLongerThanItsFreshnessPlusItsStaleWindow() throws Exception {
    Instance a = instance();
    server.enqueue(ok("validate-me").header("Cache-Control", "no-cache").header("ETag", "\"1\""));
    server.enqueue(ok("fresh").header("Cache-Control", "max-age=60"));
    server.enqueue(ok("swr").header("Cache-Control", "max-age=60, stale-while-revalidate=30"));
    server.enqueue(
        ok("strict").header("Cache-Control", "max-age=60, must-revalidate, stale-if-error=600"));

    a.get(server.url("/no-cache"));
    a.get(server.url("/fresh"));
    a.get(server.url("/swr"));
    a.get(server.url("/strict"));
    // One connection sends the writes in order: once the last is there, the others are too.
    awaitStored("strict");

    assertThat(keys()).hasSize(3); // the no-cache response has no freshness to share
    for (byte[] key : keys()) {
      String value = new String(admin.sync().get(key), StandardCharsets.ISO_8859_1);
      long ttl = admin.sync().pttl(key);
      if (value.contains("swr")) {
        assertThat(ttl).isBetween(80_000L, 90_000L);
      } else {
        assertThat(ttl).isBetween(50_000L, 60_000L);
      }
    }
  }

  @Test
  void anUnsafeRequestOnOneInstanceInvalidatesItsTargetsForTheOthers() throws Exception {
    Instance a = instance();
    Instance b = instance();
    URI res = server.url("/res");
    URI other = server.url("/other");
    server.enqueue(ok("v1").header("Cache-Control", "max-age=600"));
    server.enqueue(ok("o1").header("Cache-Control", "max-age=600"));
    server.enqueue(status(201).header("Location", "/other"));
    server.enqueue(ok("o2").header("Cache-Control", "max-age=600"));
    server.enqueue(ok("v2").header("Cache-Control", "max-age=600"));

    a.get(res);
    a.get(other);
    awaitStored("o1");
    assertThat(b.get(res).body()).isEqualTo("v1"); // from Redis, now in B's in-process tier
    assertThat(server.requestCount()).isEqualTo(2);

    assertThat(a.post(res).statusCode()).isEqualTo(201);

    // The deletions reached Redis before the POST returned: a third instance, with nothing in
    // process, finds no entry for the Location target.
    Instance c = instance();
    assertThat(c.get(other).body()).isEqualTo("o2");
    assertThat(c.stats().remoteHits()).isZero();

    // B drops its in-process copy when the announcement arrives.
    Await.until(() -> b.stats().remoteInvalidations() >= 2, "B to apply A's invalidation");
    assertThat(b.get(res).body()).isEqualTo("v2");
    assertThat(server.requestCount()).isEqualTo(5);
  }

  @Test
  void varyVariantsStoredByOneInstanceAreSelectedByAnother() throws Exception {
    Instance a = instance();
    Instance b = instance();
    URI uri = server.url("/greeting");
    server.enqueue(
        ok("hello").header("Cache-Control", "max-age=60").header("Vary", "Accept-Language"));
    server.enqueue(
        ok("bonjour").header("Cache-Control", "max-age=60").header("Vary", "Accept-Language"));
    server.enqueue(
        ok("hallo").header("Cache-Control", "max-age=60").header("Vary", "Accept-Language"));

    assertThat(a.get(uri, "Accept-Language", "en").body()).isEqualTo("hello");
    assertThat(a.get(uri, "Accept-Language", "fr").body()).isEqualTo("bonjour");
    awaitStored("hello", "bonjour");

    assertThat(b.get(uri, "Accept-Language", "fr").body()).isEqualTo("bonjour");
    assertThat(b.get(uri, "Accept-Language", "en").body()).isEqualTo("hello");
    assertThat(server.requestCount()).isEqualTo(2);
    assertThat(b.get(uri, "Accept-Language", "de").body()).isEqualTo("hallo");
    assertThat(server.requestCount()).isEqualTo(3);
  }

  @Test
  void privateResponsesStayInProcessUnlessPrivateEntriesAreOn() throws Exception {
    Instance a = instance();
    Instance b = instance();
    server.enqueue(ok("alice-data").header("Cache-Control", "max-age=60"));
    server.enqueue(ok("mine-only").header("Cache-Control", "private, max-age=60"));
    server.enqueue(ok("public").header("Cache-Control", "max-age=60"));
    server.enqueue(ok("alice-again").header("Cache-Control", "max-age=60"));

    a.get(server.url("/me"), "Authorization", "Bearer alice");
    a.get(server.url("/private"));
    a.get(server.url("/public"));
    awaitStored("public");
    assertThat(keys()).hasSize(1); // written in order: the two before it were never sent
    assertThat(b.get(server.url("/me"), "Authorization", "Bearer alice").body())
        .isEqualTo("alice-again");
  }

  @Test
  void withPrivateEntriesAnIdentityIsServedOnlyItsOwnResponses() throws Exception {
    Instance a = instance(redis, r -> r.privateEntries(true), s -> s);
    Instance b = instance(redis, r -> r.privateEntries(true), s -> s);
    URI uri = server.url("/me");
    server.enqueue(ok("alice-data").header("Cache-Control", "private, max-age=60"));
    server.enqueue(ok("bob-data").header("Cache-Control", "private, max-age=60"));
    server.enqueue(ok("anonymous").header("Cache-Control", "max-age=60"));

    a.get(uri, "Authorization", "Bearer alice");
    awaitStored("alice-data");
    // The entry names the identity only by a digest: no credential in Redis.
    assertThat(new String(admin.sync().get(keys().get(0)), StandardCharsets.ISO_8859_1))
        .doesNotContain("Bearer")
        .doesNotContain("alice\u0000");

    assertThat(b.get(uri, "Authorization", "Bearer alice").body()).isEqualTo("alice-data");
    assertThat(b.get(uri, "Authorization", "Bearer bob").body()).isEqualTo("bob-data");
    assertThat(b.get(uri).body()).isEqualTo("anonymous");
    assertThat(server.requestCount()).isEqualTo(3);
  }

  @Test
  void aCorruptOrForeignEntryIsAMissNeverAnError() throws Exception {
    Instance a = instance();
    server.enqueue(ok("good").header("Cache-Control", "max-age=60"));
    server.enqueue(ok("good2").header("Cache-Control", "max-age=60"));
    server.enqueue(ok("fresh").header("Cache-Control", "max-age=60"));
    server.enqueue(ok("fresh2").header("Cache-Control", "max-age=60"));
    a.get(server.url("/c"));
    a.get(server.url("/d"));
    awaitStored("good2");
    List<byte[]> keys = keys();
    assertThat(keys).hasSize(2);
    admin.sync().set(keys.get(0), bytes("not an entry at all"));
    byte[] foreign = admin.sync().get(keys.get(1));
    foreign[2] = 99; // the format version byte: an entry written by another release
    admin.sync().set(keys.get(1), foreign);

    Instance b = instance();
    assertThat(b.get(server.url("/c")).statusCode()).isEqualTo(200);
    assertThat(b.get(server.url("/d")).statusCode()).isEqualTo(200);
    assertThat(server.requestCount()).isEqualTo(4);
    assertThat(b.stats().remoteCorrupt()).isEqualTo(2);
    assertThat(b.stats().remoteHits()).isZero();
  }

  @Test
  void cancellingARequestSentAfterTheRedisLookupStopsItAndItsRetries() throws Exception {
    Optimizer optimizer = Optimizer.builder().manualTuning().build();
    optimizers.add(optimizer);
    HttpOptimizer http =
        HttpOptimizer.builder(optimizer)
            .coalescing(false)
            .hedging(false)
            .maxAttempts(3)
            .retryBaseDelay(Duration.ofMillis(1))
            .adaptiveLimit(false)
            .circuitBreaker(false)
            .cacheRemote(RemoteCacheSettings.builder(redis.uri()).keyPrefix(prefix).build())
            .build();
    // The head at once, then the body over a second: the exchange is still running when cancelled.
    MockHttpServer.Response slow = status(503).body("x".repeat(10_000)).drip(10, 100);
    server.enqueue(slow);
    server.enqueue(status(503));

    // A local miss asks Redis first; the request goes out once it answers.
    CompletableFuture<HttpResponse<String>> call =
        http.wrap(raw)
            .sendAsync(
                HttpRequest.newBuilder(server.url("/cancelled")).build(),
                HttpResponse.BodyHandlers.ofString());
    server.takeRequest();
    call.cancel(true);

    assertThat(slow.dripped.get(10, TimeUnit.SECONDS)).as("the exchange was aborted").isFalse();
    assertThat(http.stats().retries()).isZero();
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void aSlowRedisCostsAtMostTheCommandTimeout() throws Exception {
    Instance a = instance(redis, r -> r.commandTimeout(Duration.ofMillis(50)), s -> s);
    server.enqueue(ok("warm"));
    server.enqueue(ok("slow-redis").header("Cache-Control", "max-age=60"));
    a.get(server.url("/warm"));

    admin.sync().clientPause(1500); // the server answers no client for 1.5 s
    try {
      long start = System.nanoTime();
      assertThat(a.get(server.url("/s")).body()).isEqualTo("slow-redis");
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(millis).isLessThan(750);
      assertThat(a.stats().remoteFailures()).isPositive();
    } finally {
      admin.sync().ping(); // answered when the pause ends
    }
  }

  @Test
  void withRedisStoppedRequestsStillSucceedAgainstTheOrigin() throws Exception {
    try (EmbeddedRedis own = EmbeddedRedis.start()) {
      Instance a = instance(own, r -> r, s -> s);
      Instance b = instance(own, r -> r, s -> s);
      for (int i = 0; i < 6; i++) {
        server.enqueue(ok("r" + i).header("Cache-Control", "max-age=60"));
      }
      a.get(server.url("/before"));
      own.stop();

      long start = System.nanoTime();
      assertThat(b.get(server.url("/before")).body()).isEqualTo("r1");
      assertThat(a.get(server.url("/x")).body()).isEqualTo("r2");
      assertThat(b.get(server.url("/x")).body()).isEqualTo("r3");
      assertThat(a.post(server.url("/x")).statusCode()).isEqualTo(200);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(millis).isLessThan(1000);
      assertThat(b.stats().remoteFailures()).isPositive();
      // The in-process tiers go on working.
      assertThat(a.get(server.url("/before")).body()).isEqualTo("r0");
      assertThat(server.requestCount()).isEqualTo(5);
    }
  }
}
