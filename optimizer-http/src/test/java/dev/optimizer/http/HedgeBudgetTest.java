package dev.optimizer.http;

import static dev.optimizer.http.MockHttpServer.Response.ok;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Hedges draw on the budget they share with retries: once it is spent, a slow request gets no
 * backup, and the refusal is counted in {@code budgetExhausted}. The optimizer runs on manual time,
 * which never moves here: the budget's ten-second window cannot roll over and refill it during the
 * test, and every measured latency is zero, so the hedge delay is exactly {@code hedgeMinDelay}.
 */
class HedgeBudgetTest extends HttpFixture {
  private final Map<String, AtomicInteger> arrivals = new ConcurrentHashMap<>();
  private final CompletableFuture<Void> releasePrimaries = new CompletableFuture<>();

  @Test
  void aSlowRequestIsNotHedgedOnceTheBudgetIsSpent() throws Exception {
    HttpOptimizer http =
        HttpOptimizer.builder(manualOptimizer())
            .cache(false)
            .coalescing(false)
            .maxAttempts(1)
            .adaptiveLimit(false)
            .circuitBreaker(false)
            .hedgeWarmupSamples(1)
            .hedgeMinDelay(Duration.ofMillis(20))
            .maxHedges(1) // a slow hedge must not ask the budget for a second one
            .budgetRatio(0) // requests earn nothing:
            .budgetReserve(1) // one extra request in the window, and that is all
            .build();
    HttpClient client = http.wrap(raw);
    // The first arrival on a /slow path is held until the end of the test; a hedge (the second
    // arrival) is answered at once.
    server.dispatcher(
        r -> {
          int n = arrivals.computeIfAbsent(r.path(), p -> new AtomicInteger()).incrementAndGet();
          return r.path().startsWith("/slow") && n == 1
              ? ok("primary " + r.path()).gate(releasePrimaries)
              : ok("answer " + r.path());
        });
    try {
      assertThat(get(client, server.url("/warm")).body()).isEqualTo("answer /warm");

      // The reserve's one token pays for the first slow request's hedge, which wins.
      assertThat(get(client, server.url("/slow1")).body()).isEqualTo("answer /slow1");
      assertThat(http.stats().hedgesSent()).isEqualTo(1);
      assertThat(http.stats().hedgesWon()).isEqualTo(1);
      assertThat(http.stats().budgetExhausted()).isZero();

      // The second slow request's hedge comes due with nothing left: no backup goes out.
      CompletableFuture<HttpResponse<String>> second =
          client.sendAsync(
              HttpRequest.newBuilder(server.url("/slow2")).build(),
              HttpResponse.BodyHandlers.ofString());
      Await.until(
          () -> http.stats().budgetExhausted() == 1, "the hedge to be refused by the budget");
      assertThat(second).isNotDone();
      assertThat(arrivals.get("/slow2")).hasValue(1);
      assertThat(http.stats().hedgesSent()).isEqualTo(1);

      releasePrimaries.complete(null);
      assertThat(second.get(10, TimeUnit.SECONDS).body()).isEqualTo("primary /slow2");
      assertThat(arrivals.get("/slow2")).hasValue(1);
      assertThat(http.stats().hedgesSent()).isEqualTo(1);
      assertThat(http.stats().budgetExhausted()).isEqualTo(1);
      assertThat(http.stats().networkRequests()).isEqualTo(4); // warm, slow1 and its hedge, slow2
    } finally {
      releasePrimaries.complete(null);
    }
  }
}
