package dev.optimizer.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.http.internal.limit.HostLimit;
import dev.optimizer.http.internal.limit.LimitStep;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.testing.ManualTime;
import io.opentelemetry.api.OpenTelemetry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A response whose body is left unread holds its connection until someone reads or releases it. It
 * must be released when it arrives for a caller that has just cancelled: the answer was on its way
 * up when the cancellation came down, so the step that would hand it on finds its result cancelled.
 *
 * <p>The race is made deterministic with the order in which a future runs its dependents, newest
 * first: a dependent added after a step's own runs before it, and cancels the step's result there.
 */
class UnreadReleaseTest {
  private static final URI URL = URI.create("http://localhost:1/events");

  // Releasing is idempotent (Reply.Unread), so more than one release is allowed; none is the leak.
  private final AtomicInteger released = new AtomicInteger();

  private Reply unread() {
    return new Reply(
        200,
        HttpHeaders.of(Map.of(), (a, b) -> true),
        new byte[0],
        HttpClient.Version.HTTP_1_1,
        URL,
        0,
        0,
        Reply.Source.NETWORK,
        new Reply.Unread(new Object(), released::incrementAndGet));
  }

  private static HttpCall get() {
    return new HttpCall(
        "GET",
        URL,
        HttpHeaders.of(Map.of(), (a, b) -> true),
        false,
        null,
        Long.MAX_VALUE,
        Map.of(),
        "");
  }

  @Test
  void aFollowedAnswerForACancelledCallerIsReleased() {
    CompletableFuture<Reply> source = new CompletableFuture<>();
    CompletableFuture<Reply> target = new CompletableFuture<>();
    Futures.follow(source, target);
    source.whenComplete((r, e) -> target.cancel(true)); // runs before follow's relay

    source.complete(unread());

    assertThat(target).isCancelled();
    assertThat(released.get()).as("releases (idempotent)").isPositive();
  }

  @Test
  void anAnswerDerivedToACancelledResultIsReleased() {
    // As the cache step does: a result made by thenApply cancels the request it came from.
    CompletableFuture<Reply> sent = new CompletableFuture<>();
    CompletableFuture<Reply> derived = sent.thenApply(r -> r);
    Futures.propagateCancel(derived, sent);
    sent.whenComplete((r, e) -> derived.cancel(true)); // before thenApply's function runs

    sent.complete(unread());

    assertThat(derived).isCancelled();
    assertThat(released.get()).as("releases (idempotent)").isPositive();
  }

  @Test
  void aDeliveredAnswerIsKeptWhenTheCallerTakesIt() {
    CompletableFuture<Reply> target = new CompletableFuture<>();
    Reply reply = unread();

    Futures.deliver(target, reply);

    assertThat(target).isCompletedWithValue(reply);
    assertThat(released).hasValue(0);
  }

  @Test
  void theLimitStepReleasesAnAnswerForACancelledCaller() throws Exception {
    ManualTime time = ManualTime.create();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try (Optimizer optimizer =
            Optimizer.builder()
                .openTelemetry(OpenTelemetry.noop())
                .ticker(time.ticker())
                .manualTuning()
                .build();
        LimitStep step =
            new LimitStep(
                optimizer,
                "t",
                new HostLimit.Settings(
                    4, 1, 8, 8, Duration.ofSeconds(1), true, Duration.ofSeconds(1)),
                timer,
                new HttpStats())) {
      CompletableFuture<Reply> wire = new CompletableFuture<>();
      CompletableFuture<Reply> result = step.apply(get(), call -> wire);
      wire.whenComplete((r, e) -> result.cancel(true)); // runs before the step hands it on

      wire.complete(unread());

      assertThat(result).isCancelled();
      assertThat(released.get()).as("releases (idempotent)").isPositive();
    } finally {
      timer.shutdownNow();
    }
  }
}
