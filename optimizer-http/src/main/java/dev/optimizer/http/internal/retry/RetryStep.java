package dev.optimizer.http.internal.retry;

import dev.optimizer.api.Ticker;
import dev.optimizer.http.RequestRejectedException;
import dev.optimizer.http.internal.Futures;
import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.HttpStats;
import dev.optimizer.http.internal.Reply;
import dev.optimizer.http.internal.ResponseTooLargeException;
import dev.optimizer.http.internal.Step;
import dev.optimizer.runtime.retry.RetryBudget;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Retries with jittered exponential back-off ("full jitter": a uniform wait in [0, min(max, base ·
 * 2^n)]) that honours {@code Retry-After} (as the least wait; an answer asking for more than {@code
 * maxRetryAfter}, or past the request's deadline, is returned as it is). Retried: transport errors
 * and 502, 503, 504, and 429 with a {@code Retry-After}. Every retry withdraws a token from the
 * budget shared with hedges; every request deposits its share.
 *
 * <p>Only requests that may be repeated are retried after they may have reached the server: an
 * idempotent method, or a POST or PATCH with an {@code Idempotency-Key}. Any request may be retried
 * after a failure to connect, which proves it was never sent. A request the transport can send only
 * once (its body can be read once) is never retried.
 *
 * <p>Once the HttpOptimizer is closed no retry is sent: a request that would retry, or that waits
 * for its retry when {@link #close()} is called, fails with an {@link IOException} rather than
 * waiting for a timer that will never run it. Thread-safe.
 */
public final class RetryStep implements Step, AutoCloseable {

  /** Settings of retries. */
  public record Settings(
      int maxAttempts, Duration baseDelay, Duration maxDelay, Duration maxRetryAfter) {}

  private final Settings settings;
  private final RetryBudget budget;
  private final ScheduledExecutorService timer;
  private final Ticker ticker;
  private final Clock clock;
  private final HttpStats stats;

  /**
   * Requests waiting for their retry's timer: closing the timer drops its tasks unrun, so {@link
   * #close()} fails these. Retries are rare, so the set stays small.
   */
  private final Set<Retried> waiting = ConcurrentHashMap.newKeySet();

  /** A retry step drawing on {@code budget}. */
  public RetryStep(
      Settings settings,
      RetryBudget budget,
      ScheduledExecutorService timer,
      Ticker ticker,
      Clock clock,
      HttpStats stats) {
    this.settings = settings;
    this.budget = budget;
    this.timer = timer;
    this.ticker = ticker;
    this.clock = clock;
    this.stats = stats;
  }

  @Override
  public CompletableFuture<Reply> apply(HttpCall call, Chain next) {
    budget.onRequest();
    Retried r = new Retried(call, next);
    r.result.whenComplete((v, e) -> r.cancel());
    r.attempt(1);
    return r.result;
  }

  private final class Retried {
    final CompletableFuture<Reply> result = new CompletableFuture<>();
    final HttpCall call;
    final Chain next;
    volatile CompletableFuture<Reply> current;
    volatile ScheduledFuture<?> pending;
    volatile Reply lastReply; // the outcome a waiting retry is to improve on, for close()
    volatile Throwable lastError;

    Retried(HttpCall call, Chain next) {
      this.call = call;
      this.next = next;
    }

    void attempt(int n) {
      if (result.isDone()) {
        return;
      }
      CompletableFuture<Reply> f;
      try {
        f = next.proceed(call);
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      current = f;
      if (result.isDone()) {
        f.cancel(true);
        return;
      }
      f.whenComplete((reply, error) -> decide(n, reply, error));
    }

    void decide(int n, Reply reply, Throwable error) {
      if (result.isDone()) {
        return;
      }
      long delay = retryDelayNanos(n, reply, error);
      if (delay < 0) {
        finish(reply, error);
        return;
      }
      if (!budget.tryWithdraw()) {
        stats.budgetExhausted.increment();
        finish(reply, error);
        return;
      }
      stats.retries.increment();
      lastReply = reply;
      lastError = error;
      // Listed before it is scheduled: a retry scheduled before the timer closes is then surely
      // seen by close(), which runs after the timer is shut down.
      waiting.add(this);
      try {
        pending =
            timer.schedule(
                () -> {
                  waiting.remove(this);
                  attempt(n + 1);
                },
                delay,
                TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException closed) {
        // Closed already. This runs in a callback of the last attempt, which would swallow the
        // exception and leave the request waiting forever.
        failClosed();
        return;
      }
      if (result.isDone()) {
        pending.cancel(false);
        waiting.remove(this);
      }
    }

    /** The HttpOptimizer was closed before the retry was sent: fail rather than wait for it. */
    void failClosed() {
      waiting.remove(this);
      Throwable error = lastError == null ? null : Futures.unwrap(lastError);
      result.completeExceptionally(
          new IOException(
              "HttpOptimizer is closed: the retry of a request to "
                  + call.authority()
                  + (error == null ? " answered " + lastReply.status() : " that failed")
                  + " was not sent",
              error));
    }

    void finish(Reply reply, Throwable error) {
      if (error == null) {
        Futures.deliver(result, reply);
      } else {
        result.completeExceptionally(Futures.unwrap(error));
      }
    }

    /** The wait before attempt n + 1, or -1 not to retry. */
    long retryDelayNanos(int n, Reply reply, Throwable error) {
      if (n >= settings.maxAttempts() || !call.repeatable()) {
        return -1;
      }
      long retryAfter = 0;
      if (error != null) {
        Throwable cause = Futures.unwrap(error);
        if (cause instanceof RequestRejectedException
            || cause instanceof ResponseTooLargeException
            || cause instanceof java.net.http.HttpTimeoutException && !call.isIdempotent()
            || !(cause instanceof IOException)) {
          return -1; // refused before sending, too large to ever fit, or not a transport failure
        }
        boolean neverSent =
            cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException;
        if (!neverSent && !call.isIdempotent()) {
          return -1;
        }
      } else if (reply.isUnread()) {
        return -1; // its body is the caller's stream, not ours to drop and ask again
      } else {
        int s = reply.status();
        boolean retryable =
            s == 502
                || s == 503
                || s == 504
                || (s == 429 && reply.headers().firstValue("retry-after").isPresent());
        if (!retryable || !call.isIdempotent()) {
          return -1;
        }
        retryAfter =
            RetryAfter.nanos(reply.headers().firstValue("retry-after").orElse(null), clock);
        if (retryAfter > settings.maxRetryAfter().toNanos()) {
          return -1;
        }
      }
      long cap =
          Math.min(
              settings.maxDelay().toNanos(), settings.baseDelay().toNanos() << Math.min(20, n - 1));
      long delay = Math.max(retryAfter, ThreadLocalRandom.current().nextLong(cap + 1));
      if (call.deadlineNanos() != Long.MAX_VALUE && ticker.read() + delay >= call.deadlineNanos()) {
        return -1;
      }
      return delay;
    }

    void cancel() {
      ScheduledFuture<?> p = pending;
      if (p != null) {
        p.cancel(false);
        waiting.remove(this); // only a request that scheduled a retry was listed
      }
      CompletableFuture<Reply> c = current;
      if (result.isCancelled() && c != null) {
        c.cancel(true);
      }
    }
  }

  /**
   * Fails the requests whose retry is still waiting for the timer; call it once the timer is shut
   * down, which drops their tasks unrun.
   */
  @Override
  public void close() {
    for (Retried r : waiting) {
      r.failClosed();
    }
  }
}
