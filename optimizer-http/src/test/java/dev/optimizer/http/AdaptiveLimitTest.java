package dev.optimizer.http;

import static dev.optimizer.http.MockHttpServer.Response.ok;
import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.judge.JudgeSettings;
import dev.optimizer.runtime.tuning.TuningSettings;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The per-host limit moves under load, over real requests to a loopback server, deterministically:
 * the optimizer runs on manual time, and the test plays the server's clock. Requests are answered
 * in rounds: the test waits until the server holds every request the limit lets through, advances
 * time by the service time of that many concurrent requests, and releases them — so each request's
 * measured latency is exactly the modelled service time, whatever the machine's speed.
 *
 * <p>For the gradient controller the modelled server has 4 workers: up to 4 concurrent requests
 * take 2 ms, beyond that requests queue and take 2 ms per 4 (a 4x overload takes 8 ms). The
 * controller compares each window's median with the lowest median it has seen (2 ms, measured under
 * light load first). For AIMD the server refuses (503) what runs past its workers instead.
 */
class AdaptiveLimitTest extends HttpFixture {
  private static final int INITIAL = 20;

  /** The requests of one round: each takes the round's gate, then counts itself as arrived. */
  private record Round(CompletableFuture<Void> gate, AtomicInteger arrived) {
    Round() {
      this(new CompletableFuture<>(), new AtomicInteger());
    }
  }

  private final AtomicReference<Round> round = new AtomicReference<>(new Round());
  private HttpOptimizer http;
  private HttpClient client;
  private String host;
  private volatile int capacity = Integer.MAX_VALUE;
  private final AtomicInteger refused = new AtomicInteger();

  /** A server of 4 workers: service time grows with concurrency past 4. */
  private static int overloaded(int concurrent) {
    return 2 * Math.max(1, (concurrent + 3) / 4);
  }

  /** The same server once its other load is gone: 2 ms whatever the concurrency. */
  private static int recovered(int concurrent) {
    return 2;
  }

  @Test
  void theLimitFallsUnderOverloadAndClimbsBackOnceItClears() throws Exception {
    start(LimitAlgorithm.GRADIENT);

    window(1, 1, AdaptiveLimitTest::overloaded); // creates the host's limit
    optimizer.runTuningCycle(); // opens its first window

    // Light load (one request at a time) shows the no-load latency; an unused limit stays put.
    window(100, 1, AdaptiveLimitTest::overloaded);
    optimizer.runTuningCycle();
    assertThat(limit()).isEqualTo(INITIAL);

    // 40 clients against 4 workers: latency grows with concurrency, so the limit falls.
    List<Integer> underLoad = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      window(100, 40, AdaptiveLimitTest::overloaded);
      optimizer.runTuningCycle();
      underLoad.add(limit());
    }
    assertThat(underLoad)
        .as("limit after each overloaded window")
        .isSortedAccordingTo((a, b) -> b - a);
    int lowest = underLoad.get(underLoad.size() - 1);
    assertThat(lowest).as("limits under load: %s", underLoad).isLessThan(INITIAL);

    // The overload clears (service time no longer grows with concurrency) while the clients still
    // use the whole limit: latency is back at its baseline and the limit climbs again.
    List<Integer> recovering = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      window(100, 40, AdaptiveLimitTest::recovered);
      optimizer.runTuningCycle();
      recovering.add(limit());
    }
    assertThat(recovering)
        .as("limit after each window once the overload cleared (lowest was %d)", lowest)
        .isSortedAccordingTo(Integer::compare);
    assertThat(recovering.get(recovering.size() - 1))
        .as("limits once the overload cleared: %s", recovering)
        .isGreaterThan(lowest);
    assertThat(http.stats().limitRejected()).isZero();
  }

  /**
   * AIMD reads the server's refusals rather than its latency: a server of 8 workers answers 503 to
   * whatever runs past them. The limit falls by 10% per window while refusals come back, then
   * probes one above the capacity and retreats: a saw-tooth at the capacity.
   */
  @Test
  void aimdBacksOffOnRefusalsAndSettlesInASawToothAtTheServersCapacity() throws Exception {
    start(LimitAlgorithm.AIMD);
    capacity = 8;

    window(1, 1, AdaptiveLimitTest::recovered); // creates the host's limit
    optimizer.runTuningCycle(); // opens its first window

    List<Integer> limits = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      window(100, 40, AdaptiveLimitTest::recovered);
      optimizer.runTuningCycle();
      limits.add(limit());
    }
    int reached = limits.indexOf(capacity);
    assertThat(reached).as("window at which the limit reached 8: %s", limits).isBetween(0, 9);
    assertThat(limits.subList(0, reached + 1))
        .as("limits while the server refused: %s", limits)
        .isSortedAccordingTo((a, b) -> b - a)
        .doesNotHaveDuplicates();
    assertThat(limits.subList(reached, limits.size()))
        .as("limits after reaching the capacity: %s", limits)
        .containsOnly(capacity, capacity + 1)
        .contains(capacity + 1);
    assertThat(refused.get()).isPositive();
    assertThat(http.stats().limitRejected()).isZero();
  }

  private void start(LimitAlgorithm algorithm) {
    Optimizer optimizer =
        Optimizer.builder()
            .clock(time.clock())
            .ticker(time.ticker())
            .manualTuning()
            // A window of 100 requests is enough for these controllers: they are not judged.
            .judge(JudgeSettings.builder().minSamplesPerArm(20).minTailExceedances(1).build())
            .tuning(
                TuningSettings.builder()
                    .minWindow(Duration.ofMillis(1))
                    // The modelled server has no transient after a change: no settling time.
                    .settle(Duration.ZERO)
                    .build())
            .build();
    this.optimizer = optimizer;
    http =
        HttpOptimizer.builder(optimizer)
            .cache(false)
            .coalescing(false)
            .hedging(false)
            .maxAttempts(1)
            .circuitBreaker(false)
            .adaptiveLimit(true)
            .limitAlgorithm(algorithm)
            .initialLimit(INITIAL)
            .minLimit(1)
            .maxLimit(40)
            .limitQueueTimeout(Duration.ofSeconds(30))
            .build();
    client = http.wrap(raw);
    host = "127.0.0.1:" + server.port();
    server.dispatcher(
        r -> {
          Round current = round.get();
          // Counted after taking the gate: then it is surely held. Past the workers: refused, but
          // only at the end of the round, so that the concurrency the limit allows is what it was.
          int arrived = current.arrived().incrementAndGet();
          MockHttpServer.Response answer =
              arrived > capacity ? MockHttpServer.Response.status(503).body("busy") : ok("done");
          return answer.gate(current.gate());
        });
  }

  private int limit() {
    // The host's limit exists from its first request on; until then it would be the initial one.
    return http.stats().limits().getOrDefault(host, INITIAL);
  }

  /**
   * Sends {@code total} requests from {@code clients} closed-loop clients; each round releases the
   * requests the limit let through after advancing time by {@code serviceMillis} of their number.
   */
  private void window(int total, int clients, IntUnaryOperator serviceMillis) throws Exception {
    List<CompletableFuture<HttpResponse<String>>> outstanding = new ArrayList<>();
    int submitted = 0;
    int completed = 0;
    while (completed < total) {
      while (submitted < total && outstanding.size() < clients) {
        outstanding.add(
            client.sendAsync(
                HttpRequest.newBuilder(server.url("/work")).build(),
                HttpResponse.BodyHandlers.ofString()));
        submitted++;
      }
      int admitted = Math.min(limit(), outstanding.size());
      Round current = round.get();
      Await.until(
          () -> current.arrived().get() == admitted,
          "the server to hold " + admitted + " requests");
      round.set(new Round()); // the next round's requests arrive only after these are answered
      time.advance(Duration.ofMillis(serviceMillis.applyAsInt(admitted)));
      current.gate().complete(null);
      Await.until(
          () -> outstanding.stream().filter(CompletableFuture::isDone).count() >= admitted,
          admitted + " answers");
      for (Iterator<CompletableFuture<HttpResponse<String>>> it = outstanding.iterator();
          it.hasNext(); ) {
        CompletableFuture<HttpResponse<String>> call = it.next();
        if (call.isDone()) {
          HttpResponse<String> answer = call.get(0, TimeUnit.SECONDS);
          if (answer.statusCode() == 503) {
            assertThat(answer.body()).isEqualTo("busy");
            refused.incrementAndGet();
          } else {
            assertThat(answer.body()).isEqualTo("done");
          }
          it.remove();
          completed++;
        }
      }
    }
  }
}
