package dev.optimizer.http.internal.retry;

import dev.optimizer.api.Ticker;
import dev.optimizer.http.RequestRejectedException;
import dev.optimizer.http.internal.Futures;
import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.HttpStats;
import dev.optimizer.http.internal.Reply;
import dev.optimizer.http.internal.Step;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A Resilience4j circuit breaker per host, around each physical attempt. Transport errors and 5xx
 * answers count as failures; cancelled attempts (hedge losers) release their permission without a
 * verdict. While a host's breaker is open, attempts fail at once with a {@link
 * RequestRejectedException} (so a stale cached response may be served under stale-if-error, and the
 * retry step does not retry). Thread-safe.
 */
public final class BreakerStep implements Step {

  /** Settings of the breakers. */
  public record Settings(
      float failureRateThreshold, int minimumCalls, int windowSize, Duration openDuration) {}

  private final CircuitBreakerConfig config;
  private final Ticker ticker;
  private final HttpStats stats;
  private final ConcurrentHashMap<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();

  /** A breaker step; breakers are created per host on first use. */
  public BreakerStep(Settings s, Clock clock, Ticker ticker, HttpStats stats) {
    this.config =
        CircuitBreakerConfig.custom()
            .failureRateThreshold(s.failureRateThreshold())
            .minimumNumberOfCalls(s.minimumCalls())
            .slidingWindowSize(s.windowSize())
            .waitDurationInOpenState(s.openDuration())
            .permittedNumberOfCallsInHalfOpenState(Math.max(1, Math.min(10, s.minimumCalls())))
            .clock(clock)
            .recordException(e -> e instanceof IOException || e instanceof ServerError)
            .build();
    this.ticker = ticker;
    this.stats = stats;
  }

  /** The breaker of a host. */
  public CircuitBreaker breaker(String authority) {
    CircuitBreaker b = breakers.get(authority);
    return b != null ? b : breakers.computeIfAbsent(authority, a -> CircuitBreaker.of(a, config));
  }

  @Override
  public CompletableFuture<Reply> apply(HttpCall call, Chain next) {
    CircuitBreaker breaker = breaker(call.authority());
    if (!breaker.tryAcquirePermission()) {
      stats.breakerRejected.increment();
      return CompletableFuture.failedFuture(
          new RequestRejectedException(
              RequestRejectedException.Reason.CIRCUIT_OPEN,
              "circuit breaker of "
                  + call.authority()
                  + " is "
                  + breaker.getState()
                  + " (failure rate "
                  + breaker.getMetrics().getFailureRate()
                  + "%, threshold "
                  + config.getFailureRateThreshold()
                  + "%)",
              null));
    }
    long start = ticker.read();
    CompletableFuture<Reply> f;
    try {
      f = next.proceed(call);
    } catch (RuntimeException e) {
      breaker.releasePermission();
      throw e;
    }
    f.whenComplete(
        (reply, error) -> {
          long took = ticker.read() - start;
          if (f.isCancelled()) {
            breaker.releasePermission();
          } else if (error != null) {
            breaker.onError(took, TimeUnit.NANOSECONDS, Futures.unwrap(error));
          } else if (reply.isServerError()) {
            breaker.onError(took, TimeUnit.NANOSECONDS, new ServerError(reply.status()));
          } else {
            breaker.onSuccess(took, TimeUnit.NANOSECONDS);
          }
        });
    return f;
  }

  /** A 5xx answer, as the breaker sees it. */
  static final class ServerError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ServerError(int status) {
      super("HTTP " + status, null, false, false);
    }
  }
}
