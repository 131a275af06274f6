package dev.optimizer.http.internal.hedge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.api.Ticker;
import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.HttpStats;
import dev.optimizer.http.internal.LazyTimer;
import dev.optimizer.http.internal.Reply;
import dev.optimizer.http.internal.TestCalls;
import dev.optimizer.runtime.retry.RetryBudget;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class HedgeStepTest {
  private static final URI URL = URI.create("http://localhost:1/item");

  private static HttpCall get() {
    return TestCalls.get(URL);
  }

  private static Reply ok() {
    return TestCalls.ok(URL);
  }

  @Test
  void aTimerClosedUnderARequestCostsItsHedgeNotTheRequest() throws Exception {
    LazyTimer timer = new LazyTimer("hedge-step-test");
    HedgeStep step =
        new HedgeStep(
            new HedgeStep.Settings(99, Duration.ofMillis(1), Duration.ofSeconds(1), 1, 64, 1),
            new RetryBudget(0.5, 10, Ticker.system()),
            timer,
            Ticker.system(),
            new HttpStats(),
            true);
    // One answered request gives the host a hedge delay.
    assertThat(step.apply(get(), c -> CompletableFuture.completedFuture(ok())).get().status())
        .isEqualTo(200);
    assertThat(step.delayNanos(URL.getHost() + ":1")).isPositive();
    // The client is closed while the next request is on its way: its first attempt is already
    // sent when the hedge would be scheduled on the now closed timer.
    timer.close();
    CompletableFuture<Reply> sent = new CompletableFuture<>();
    CompletableFuture<Reply> result = step.apply(get(), c -> sent);
    sent.complete(ok());
    assertThat(result.get().status()).isEqualTo(200);
  }
}
