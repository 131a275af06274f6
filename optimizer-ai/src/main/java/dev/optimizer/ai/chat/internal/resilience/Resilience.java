package dev.optimizer.ai.chat.internal.resilience;

import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.optimizer.ai.chat.Sleeper;
import dev.optimizer.ai.chat.internal.ChatSettings;
import dev.optimizer.ai.chat.internal.telemetry.ChatMetrics;
import dev.optimizer.api.Ticker;
import dev.optimizer.runtime.retry.RetryBudget;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.context.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Retries, circuit breakers, fallbacks and timeouts around upstream chat calls.
 *
 * <p>Candidates are tried in order: the chosen model, then its fallbacks. Each has a Resilience4j
 * circuit breaker (per model; rate limits, 5xx, timeouts and transport errors count as failures);
 * an open breaker sends the call straight to the next candidate. A retryable failure is retried on
 * the same model after a {@link Backoff} wait, while attempts remain ({@code maxAttempts} per
 * model) and the shared {@link RetryBudget} allows it; a provider hint longer than the backoff's
 * maximum, an exhausted budget or the last attempt moves on to the next candidate instead. A
 * failure that is not retryable (bad request, authentication) ends the call at once: another model
 * would refuse it too. Each attempt runs on {@code attempts} and is interrupted after {@code
 * callTimeout}. Thread-safe.
 */
public final class Resilience {
  /** One model to try: an id for its breaker, its metric attributes, and the call. */
  public record Candidate(String id, Attributes attributes, Callable<ChatResponse> call) {}

  /** A successful answer and the index of the candidate that gave it. */
  public record Answer(ChatResponse response, int index) {}

  private final ChatSettings settings;
  private final RetryBudget budget;
  private final ChatMetrics metrics;
  private final Ticker ticker;
  private final ExecutorService attempts;
  private final Backoff backoff;
  private final Sleeper sleeper;
  private final CircuitBreakerConfig config;
  private final ConcurrentHashMap<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();

  /** Resilience with the given settings; attempts run on {@code attempts}. */
  public Resilience(
      ChatSettings settings,
      RetryBudget budget,
      ChatMetrics metrics,
      Clock clock,
      Ticker ticker,
      ExecutorService attempts) {
    this.settings = settings;
    this.budget = budget;
    this.metrics = metrics;
    this.ticker = ticker;
    this.attempts = attempts;
    this.backoff =
        new Backoff(settings.retryBaseDelay(), settings.retryMaxDelay(), settings.random());
    this.sleeper = settings.sleeper();
    int window = Math.max(settings.breakerMinimumCalls(), 20);
    this.config =
        CircuitBreakerConfig.custom()
            .failureRateThreshold(settings.breakerFailureRate())
            .minimumNumberOfCalls(settings.breakerMinimumCalls())
            .slidingWindowSize(window)
            .waitDurationInOpenState(settings.breakerOpenDuration())
            // A safety net: a permit that is never settled (an outcome lost by a client that
            // neither completes nor fails) would otherwise hold HALF_OPEN for good. After this
            // long without enough outcomes the breaker opens again and later probes it afresh.
            .maxWaitDurationInHalfOpenState(settings.breakerOpenDuration())
            .permittedNumberOfCallsInHalfOpenState(
                Math.max(1, Math.min(5, settings.breakerMinimumCalls())))
            .clock(clock)
            .recordException(Failures::retryable)
            .build();
  }

  /** The breaker of a model, created on first use. */
  public CircuitBreaker breaker(String id) {
    CircuitBreaker b = breakers.get(id);
    return b != null ? b : breakers.computeIfAbsent(id, k -> CircuitBreaker.of(k, config));
  }

  /** The shared retry budget. */
  public RetryBudget budget() {
    return budget;
  }

  /** The backoff. */
  public Backoff backoff() {
    return backoff;
  }

  /**
   * Calls the candidates in order until one answers.
   *
   * @throws InterruptedException if the calling thread is interrupted (the attempt is cancelled)
   * @throws RuntimeException the last failure when every candidate failed
   */
  public Answer call(List<Candidate> candidates) throws InterruptedException {
    RuntimeException last = null;
    for (int i = 0; i < candidates.size(); i++) {
      Candidate c = candidates.get(i);
      CircuitBreaker breaker = breaker(c.id());
      String leave = null;
      budget.onRequest();
      for (int attempt = 1; leave == null; attempt++) {
        if (!breaker.tryAcquirePermission()) {
          last = ModelUnavailableException.open(c.id(), breaker, last);
          leave = "circuit-open";
          break;
        }
        long start = ticker.read();
        try {
          ChatResponse r = attempt(c);
          long took = ticker.read() - start;
          breaker.onSuccess(took, TimeUnit.NANOSECONDS);
          metrics.call(c.attributes(), took, null, input(r), output(r));
          return new Answer(r, i);
        } catch (InterruptedException e) {
          breaker.releasePermission();
          throw e;
        } catch (RuntimeException e) {
          long took = ticker.read() - start;
          breaker.onError(took, TimeUnit.NANOSECONDS, e);
          metrics.call(c.attributes(), took, e, null, null);
          last = e;
          if (!Failures.retryable(e)) {
            throw e;
          }
          leave = retryOrLeave(c, attempt, e);
        }
      }
      if (i + 1 < candidates.size()) {
        metrics.fallback(c.attributes(), leave);
      }
    }
    throw last;
  }

  /**
   * Waits before the next attempt and returns null, or returns why the caller should move on to the
   * next candidate instead.
   */
  public String retryOrLeave(Candidate c, int attempt, Throwable e) throws InterruptedException {
    Duration wait = nextWait(attempt, e);
    if (wait == null) {
      String reason = leaveReason(attempt, e);
      return reason != null ? reason : "retry-budget";
    }
    metrics.retry(c.attributes(), e);
    sleeper.sleep(wait);
    return null;
  }

  /** The wait before another attempt after {@code attempt} failed with {@code e}; null if none. */
  public Duration nextWait(int attempt, Throwable e) {
    if (leaveReason(attempt, e) != null) {
      return null;
    }
    if (!budget.tryWithdraw()) {
      return null;
    }
    return backoff.delay(attempt, Failures.retryAfter(e));
  }

  private String leaveReason(int attempt, Throwable e) {
    if (attempt >= settings.maxAttempts()) {
      return "attempts-exhausted";
    }
    Optional<Duration> hint = Failures.retryAfter(e);
    if (hint.isPresent() && hint.get().compareTo(backoff.max()) > 0) {
      return "retry-after-too-long";
    }
    if (budget.available() < 1) {
      return "retry-budget";
    }
    return null;
  }

  private ChatResponse attempt(Candidate c) throws InterruptedException {
    // On a thread of ours (to time it out), in the caller's OpenTelemetry context, as the model
    // would run unwrapped: its spans and its listeners' spans stay in the caller's trace.
    Future<ChatResponse> f = attempts.submit(Context.current().wrap(c.call()));
    try {
      return f.get(settings.callTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new AttemptTimeoutException(
          "chat call to "
              + c.id()
              + " did not answer within "
              + settings.callTimeout()
              + " (setting callTimeout)");
    } catch (InterruptedException e) {
      f.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new LangChain4jException(cause);
    }
  }

  private static Integer input(ChatResponse r) {
    return r.tokenUsage() == null ? null : r.tokenUsage().inputTokenCount();
  }

  private static Integer output(ChatResponse r) {
    return r.tokenUsage() == null ? null : r.tokenUsage().outputTokenCount();
  }
}
