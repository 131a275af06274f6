package dev.optimizer.http;

import static dev.optimizer.http.MockHttpServer.Response.ok;
import static dev.optimizer.http.MockHttpServer.Response.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.optimizer.http.MockHttpServer.Fault;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Coalescing, hedging, retries, the limit and the breaker, against a real server on loopback. */
class ResilienceTest extends HttpFixture {

  /** A builder with every feature off but those named (cache, coalesce, retry, limit, breaker). */
  private HttpOptimizerBuilder only(String... features) {
    java.util.Set<String> on = java.util.Set.of(features);
    HttpOptimizerBuilder b =
        HttpOptimizer.builder(realOptimizer())
            .cache(on.contains("cache"))
            .coalescing(on.contains("coalesce"))
            .hedging(false);
    if (!on.contains("retry")) {
      b.maxAttempts(1);
    }
    return b.adaptiveLimit(on.contains("limit")).circuitBreaker(on.contains("breaker"));
  }

  @Test
  void identicalGetsInFlightBecomeOneRequestButNeverAcrossIdentities() throws Exception {
    HttpClient client =
        HttpOptimizer.builder(realOptimizer()).cache(false).hedging(false).build().wrap(raw);
    CountDownLatch release = new CountDownLatch(1);
    server.dispatcher(
        r -> {
          return ok("shared " + r.header("Authorization")).delay(300);
        });
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      calls.add(
          client.sendAsync(
              HttpRequest.newBuilder(server.url("/hot"))
                  .header("Authorization", i % 2 == 0 ? "Bearer a" : "Bearer b")
                  .header("traceparent", "00-" + i + "-01")
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    release.countDown();
    for (int i = 0; i < calls.size(); i++) {
      assertThat(calls.get(i).get(10, TimeUnit.SECONDS).body())
          .isEqualTo("shared " + (i % 2 == 0 ? "Bearer a" : "Bearer b"));
    }
    assertThat(server.requestCount()).isEqualTo(2);
  }

  @Test
  void aJoinerIsNotFailedByTheLeadersShorterTimeout() throws Exception {
    HttpOptimizer http = only("coalesce").build();
    HttpClient client = http.wrap(raw);
    server.dispatcher(r -> ok("slow").delay(700));
    CompletableFuture<HttpResponse<String>> leader =
        client.sendAsync(
            HttpRequest.newBuilder(server.url("/c")).timeout(Duration.ofMillis(500)).build(),
            HttpResponse.BodyHandlers.ofString());
    server.takeRequest();
    CompletableFuture<HttpResponse<String>> joiner =
        client.sendAsync(
            HttpRequest.newBuilder(server.url("/c")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(http.stats().coalesced()).as("joined the leader's request").isEqualTo(1);

    assertThatThrownBy(() -> leader.get(10, TimeUnit.SECONDS))
        .hasCauseInstanceOf(HttpTimeoutException.class);
    assertThat(joiner.get(10, TimeUnit.SECONDS).body()).isEqualTo("slow");
    assertThat(server.requestCount()).as("the leader's, cut short, and the joiner's").isEqualTo(2);
  }

  @Test
  void aJoinerIsNotFailedByTheLeadersInterrupt() throws Exception {
    HttpOptimizer http = only("coalesce").build();
    HttpClient client = http.wrap(raw);
    CompletableFuture<Void> answer = new CompletableFuture<>();
    server.dispatcher(r -> ok("shared").gate(answer));
    ExecutorService leaderThread = Executors.newSingleThreadExecutor();
    try {
      // A blocking send: the shared request runs on the leader's own thread.
      Future<HttpResponse<String>> leader =
          leaderThread.submit(() -> get(client, server.url("/i")));
      server.takeRequest();
      CompletableFuture<HttpResponse<String>> joiner =
          client.sendAsync(
              HttpRequest.newBuilder(server.url("/i")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(http.stats().coalesced()).as("joined the leader's request").isEqualTo(1);

      leader.cancel(true); // interrupts the leader inside send(), which aborts its exchange
      Await.until(
          () -> server.requestCount() == 2 || joiner.isDone(),
          "the joiner to ask again, or to fail");
      answer.complete(null);
      assertThat(joiner.get(10, TimeUnit.SECONDS).body()).isEqualTo("shared");
    } finally {
      leaderThread.shutdownNow();
    }
  }

  @Test
  void aSlowAttemptIsHedgedAndTheHedgeWins() throws Exception {
    HttpOptimizer http =
        HttpOptimizer.builder(realOptimizer())
            .cache(false)
            .coalescing(false)
            .maxAttempts(1)
            .adaptiveLimit(false)
            .circuitBreaker(false)
            .hedgeWarmupSamples(10)
            // Well above a warm-up request's time on a busy machine, well below the slow one's.
            .hedgeMinDelay(Duration.ofMillis(200))
            .maxHedges(1)
            .build();
    HttpClient client = http.wrap(raw);
    AtomicInteger n = new AtomicInteger();
    server.dispatcher(r -> ok("r").delay(n.incrementAndGet() == 21 ? 5_000 : 1));
    for (int i = 0; i < 20; i++) {
      get(client, server.url("/h"));
    }
    long sentBefore = http.stats().hedgesSent();
    long wonBefore = http.stats().hedgesWon();
    long start = System.nanoTime();
    assertThat(get(client, server.url("/h")).body()).isEqualTo("r");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    assertThat(http.stats().hedgesSent() - sentBefore).as("%s", http.stats()).isEqualTo(1);
    assertThat(http.stats().hedgesWon() - wonBefore).isEqualTo(1);
  }

  @Test
  void aPostIsNeverHedged() throws Exception {
    HttpOptimizer http =
        HttpOptimizer.builder(realOptimizer())
            .cache(false)
            .maxAttempts(1)
            .adaptiveLimit(false)
            .circuitBreaker(false)
            .hedgeWarmupSamples(1)
            .hedgeMinDelay(Duration.ofMillis(1))
            .hedgeMaxDelay(Duration.ofMillis(1))
            .build();
    HttpClient client = http.wrap(raw);
    server.dispatcher(r -> ok("r").delay(r.method().equals("POST") ? 300 : 0));
    get(client, server.url("/warm"));
    get(client, server.url("/warm"));

    server.drain();
    long hedgesBefore = http.stats().hedgesSent();
    post(client, server.url("/order"), "{}");
    assertThat(http.stats().hedgesSent()).isEqualTo(hedgesBefore);
    assertThat(server.drain())
        .extracting(rec -> rec.method() + " " + rec.path())
        .filteredOn(line -> line.startsWith("POST"))
        .containsExactly("POST /order");
  }

  @Test
  void retriesHonourRetryAfterAndStopAtTheBudget() throws Exception {
    HttpOptimizer http = only("retry").maxAttempts(3).retryBaseDelay(Duration.ofMillis(1)).build();
    HttpClient client = http.wrap(raw);
    server.enqueue(status(503).header("Retry-After", "0"));
    server.enqueue(status(429).header("Retry-After", "0"));
    server.enqueue(ok("third time"));

    assertThat(get(client, server.url("/r")).body()).isEqualTo("third time");
    assertThat(http.stats().retries()).isEqualTo(2);
  }

  @Test
  void aRetryAfterBeyondTheCapReturnsTheAnswer() throws Exception {
    HttpClient client =
        only("retry").maxAttempts(3).maxRetryAfter(Duration.ofSeconds(1)).build().wrap(raw);
    server.enqueue(status(503).header("Retry-After", "120"));

    assertThat(get(client, server.url("/later")).statusCode()).isEqualTo(503);
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @Test
  void anEmptyBudgetSendsNoRetry() throws Exception {
    HttpOptimizer http =
        only("retry").budgetRatio(0).budgetReserve(0).retryBaseDelay(Duration.ofMillis(1)).build();
    server.enqueue(status(503));
    server.enqueue(ok("not reached"));

    assertThat(get(http.wrap(raw), server.url("/b")).statusCode()).isEqualTo(503);
    assertThat(http.stats().budgetExhausted()).isEqualTo(1);
  }

  @Test
  void aPostIsRetriedOnlyWithAnIdempotencyKey() throws Exception {
    HttpClient client =
        only("retry").maxAttempts(3).retryBaseDelay(Duration.ofMillis(1)).build().wrap(raw);
    server.enqueue(status(503));
    server.enqueue(status(503));
    server.enqueue(ok("done"));

    assertThat(post(client, server.url("/pay"), "{}").statusCode()).isEqualTo(503);
    assertThat(server.requestCount()).isEqualTo(1);
    assertThat(post(client, server.url("/pay"), "{}", "Idempotency-Key", "k1").body())
        .isEqualTo("done");
    assertThat(server.requestCount()).isEqualTo(3);
  }

  @Test
  void aResetGetIsRetriedButAResetPostIsNot() throws Exception {
    HttpClient client =
        only("retry").maxAttempts(2).retryBaseDelay(Duration.ofMillis(1)).build().wrap(raw);
    server.enqueue(new MockHttpServer.Response().fault(Fault.RESET_BEFORE_RESPONSE));
    server.enqueue(ok("after reset"));
    assertThat(get(client, server.url("/g")).body()).isEqualTo("after reset");

    server.enqueue(new MockHttpServer.Response().fault(Fault.RESET_BEFORE_RESPONSE));
    server.enqueue(ok("must not be sent twice"));
    assertThatThrownBy(() -> post(client, server.url("/p"), "x"))
        .isInstanceOf(java.io.IOException.class);
    assertThat(server.requestCount()).isEqualTo(3);
  }

  @Test
  void aRetryDueAfterCloseFailsInsteadOfWaitingForever() throws Exception {
    HttpOptimizer http = only("retry").maxAttempts(3).retryBaseDelay(Duration.ofMillis(1)).build();
    HttpClient client = http.wrap(raw);
    CompletableFuture<Void> answer = new CompletableFuture<>();
    server.enqueue(status(503).gate(answer));
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try {
      // A blocking send runs its attempt on the caller's thread, which close() leaves alone: the
      // 503 arrives after close and asks for a retry on the closed timer.
      Future<HttpResponse<String>> call = caller.submit(() -> get(client, server.url("/r")));
      server.takeRequest();
      http.close();
      answer.complete(null);

      ExecutionException failed =
          catchThrowableOfType(ExecutionException.class, () -> call.get(10, TimeUnit.SECONDS));
      assertThat(failed.getCause())
          .isInstanceOf(IOException.class)
          .hasMessageContaining("HttpOptimizer is closed")
          .hasMessageContaining("answered 503");
      assertThat(server.requestCount()).isEqualTo(1);
    } finally {
      caller.shutdownNow();
    }
  }

  @Test
  void aRetryWaitingWhenTheOptimizerClosesFails() throws Exception {
    HttpOptimizer http = only("retry").maxAttempts(3).build();
    server.enqueue(status(503).header("Retry-After", "20")); // the retry waits 20 s
    CompletableFuture<HttpResponse<String>> call =
        http.wrap(raw)
            .sendAsync(
                HttpRequest.newBuilder(server.url("/w")).build(),
                HttpResponse.BodyHandlers.ofString());
    Await.until(() -> http.stats().retries() == 1, "the retry to be scheduled");

    http.close(); // drops the retry's timer task unrun
    ExecutionException failed =
        catchThrowableOfType(ExecutionException.class, () -> call.get(10, TimeUnit.SECONDS));
    assertThat(failed.getCause())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("HttpOptimizer is closed");
    assertThat(server.requestCount()).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"cache miss", "revalidation", "unsafe request"})
  void cancellingARequestThroughTheCacheStopsItAndItsRetries(String path) throws Exception {
    HttpOptimizer http =
        only("cache", "retry").maxAttempts(3).retryBaseDelay(Duration.ofMillis(1)).build();
    HttpClient client = http.wrap(raw);
    HttpRequest.Builder request = HttpRequest.newBuilder(server.url("/cancel"));
    if (path.equals("revalidation")) {
      server.enqueue(
          ok("stale at once").header("ETag", "\"v1\"").header("Cache-Control", "max-age=0"));
      get(client, server.url("/cancel"));
      server.takeRequest();
    } else if (path.equals("unsafe request")) {
      request.PUT(HttpRequest.BodyPublishers.ofString("x")); // idempotent: retried
    }
    // The head at once, then the body over a second: the exchange is still running when cancelled.
    MockHttpServer.Response slow = status(503).body("x".repeat(10_000)).drip(10, 100);
    server.enqueue(slow);
    server.enqueue(status(503));
    server.enqueue(status(503));

    CompletableFuture<HttpResponse<String>> call =
        client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    MockHttpServer.Recorded sent = server.takeRequest();
    assertThat(sent.header("If-None-Match"))
        .isEqualTo(path.equals("revalidation") ? "\"v1\"" : null);
    call.cancel(true);

    assertThat(slow.dripped.get(10, TimeUnit.SECONDS)).as("the exchange was aborted").isFalse();
    assertThat(http.stats().retries()).isZero();
    assertThat(server.drain()).isEmpty();
  }

  @Test
  void theLimitQueuesUnderATimeoutAndNamesItsState() throws Exception {
    HttpOptimizer http =
        only("limit")
            .initialLimit(1)
            .minLimit(1)
            .maxLimit(1)
            .limitQueueTimeout(Duration.ofMillis(100))
            .build();
    HttpClient client = http.wrap(raw);
    server.dispatcher(r -> ok("slow").delay(r.path().equals("/slow") ? 2_000 : 0));
    CompletableFuture<HttpResponse<String>> slow =
        client.sendAsync(
            HttpRequest.newBuilder(server.url("/slow")).build(),
            HttpResponse.BodyHandlers.ofString());
    server.takeRequest();

    assertThatThrownBy(() -> get(client, server.url("/fast")))
        .isInstanceOfSatisfying(
            RequestRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(RequestRejectedException.Reason.LIMIT_TIMEOUT))
        .hasMessageContaining("limit=1, inFlight=1");
    assertThat(slow.get(10, TimeUnit.SECONDS).body()).isEqualTo("slow");
    assertThat(get(client, server.url("/fast")).body()).isEqualTo("slow");
    assertThat(http.stats().limits()).containsEntry("127.0.0.1:" + server.port(), 1);
  }

  @Test
  void anOpenBreakerFailsFastWithoutReachingTheServer() throws Exception {
    HttpOptimizer http = only("breaker").breakerMinimumCalls(2).breakerFailureRate(50).build();
    HttpClient client = http.wrap(raw);
    server.dispatcher(r -> status(500));

    get(client, server.url("/x"));
    get(client, server.url("/x"));
    assertThatThrownBy(() -> get(client, server.url("/x")))
        .isInstanceOfSatisfying(
            RequestRejectedException.class,
            e -> assertThat(e.reason()).isEqualTo(RequestRejectedException.Reason.CIRCUIT_OPEN));
    assertThat(server.requestCount()).isEqualTo(2);
    assertThat(http.stats().breakerRejected()).isEqualTo(1);
  }

  @Test
  void aHangingServerFailsWithinTheRequestTimeout() throws Exception {
    HttpClient client = HttpOptimizer.create(realOptimizer()).wrap(raw);
    server.dispatcher(r -> new MockHttpServer.Response().fault(Fault.HANG));

    long start = System.nanoTime();
    assertThatThrownBy(
            () ->
                client.send(
                    HttpRequest.newBuilder(server.url("/hang"))
                        .timeout(Duration.ofMillis(300))
                        .build(),
                    HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(java.net.http.HttpTimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void aMalformedResponseIsAClearIoError() throws Exception {
    HttpClient client = HttpOptimizer.create(realOptimizer()).wrap(raw);
    server.dispatcher(r -> new MockHttpServer.Response().fault(Fault.GARBAGE));

    assertThatThrownBy(
            () ->
                client.send(
                    HttpRequest.newBuilder(server.url("/bad"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                    HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(java.io.IOException.class);
  }

  @Test
  void aBodyOverTheCapReachesTheCallerWhole() throws Exception {
    // The cap bounds what the wrapper buffers, not what the caller may read (JdkStreamingTest).
    HttpClient client =
        HttpOptimizer.builder(realOptimizer()).maxResponseBodyBytes(1024).build().wrap(raw);
    server.enqueue(ok("x".repeat(5000)));

    assertThat(get(client, server.url("/huge")).body()).isEqualTo("x".repeat(5000));
  }
}
