package dev.optimizer.http.internal.limit;

import dev.optimizer.api.Ticker;
import dev.optimizer.http.RequestRejectedException;
import dev.optimizer.http.internal.Futures;
import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.HttpStats;
import dev.optimizer.http.internal.Reply;
import dev.optimizer.http.internal.Step;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.limit.LimitExceededException;
import dev.optimizer.runtime.limit.Permit;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Holds each request to a host until the host's adaptive limit has room, waiting in a FIFO queue
 * for at most the queue timeout (or what is left of the request's deadline, if less) — queueing
 * under a timeout rather than unbounded growth. A 429 or 503 answer, or a timeout, is fed to the
 * controller as a drop (overload); other failures tell nothing about capacity.
 *
 * <p>A request's queue timeout runs on the HttpOptimizer's timer, which closing shuts down,
 * dropping the timeouts unrun: {@link #close()} fails the requests still queued with an {@link
 * IOException}, as it fails the retries waiting for that timer, rather than leaving them to wait
 * for a permit that may never free up, and be sent after all once one does. Thread-safe.
 */
public final class LimitStep implements Step, AutoCloseable {
  private final Optimizer optimizer;
  private final String name;
  private final HostLimit.Settings settings;
  private final ScheduledExecutorService timer;
  private final Ticker ticker;
  private final HttpStats stats;
  private final ConcurrentHashMap<String, HostLimit> hosts = new ConcurrentHashMap<>();

  /**
   * Requests waiting in a host's queue, by the future of their permit: their timeouts are tasks of
   * the timer, so {@link #close()} fails these. Each leaves the set when its permit is granted or
   * refused.
   */
  private final Set<Queued> queued = ConcurrentHashMap.newKeySet();

  /** A request waiting for a permit: the host it waits for, and the future of its permit. */
  private record Queued(String authority, CompletableFuture<Permit> permit) {
    void failClosed() {
      // Completing the permit's future takes the waiter out of the limiter's queue; a permit
      // granted in the same instant is passed on by the limiter.
      permit.completeExceptionally(closed(authority));
    }
  }

  private static IOException closed(String authority) {
    return new IOException(
        "HttpOptimizer is closed: the request to "
            + authority
            + " waiting for a permit of its concurrency limit was not sent");
  }

  /** A limit step; limits are created per host on first use. */
  public LimitStep(
      Optimizer optimizer,
      String name,
      HostLimit.Settings settings,
      ScheduledExecutorService timer,
      HttpStats stats) {
    this.optimizer = optimizer;
    this.name = name;
    this.settings = settings;
    this.timer = timer;
    this.ticker = optimizer.ticker();
    this.stats = stats;
  }

  /** The limit of a host, created on first use. */
  public HostLimit host(String authority) {
    HostLimit limit = hosts.get(authority);
    return limit != null
        ? limit
        : hosts.computeIfAbsent(authority, a -> new HostLimit(optimizer, name, a, settings));
  }

  /** The limits created so far, by host. */
  public java.util.Map<String, HostLimit> hosts() {
    return java.util.Collections.unmodifiableMap(hosts);
  }

  @Override
  public CompletableFuture<Reply> apply(HttpCall call, Chain next) {
    HostLimit host = host(call.authority());
    long wait = settings.queueTimeout().toNanos();
    if (call.deadlineNanos() != Long.MAX_VALUE) {
      wait = Math.max(0, Math.min(wait, call.deadlineNanos() - ticker.read()));
    }
    CompletableFuture<Permit> permit = host.limiter.acquireAsync(Duration.ofNanos(wait), timer);
    if (!permit.isDone()) {
      Queued q = new Queued(call.authority(), permit);
      queued.add(q);
      permit.whenComplete((p, e) -> queued.remove(q));
      // Listed after the timer may have shut down: close() may have looked at the set already.
      if (timer.isShutdown()) {
        q.failClosed();
      }
    }
    CompletableFuture<Reply> result = new CompletableFuture<>();
    Futures.propagateCancel(result, permit);
    permit.whenComplete(
        (p, error) -> {
          if (error != null) {
            Throwable cause = Futures.unwrap(error);
            if (cause instanceof LimitExceededException le) {
              stats.limitRejected.increment();
              result.completeExceptionally(
                  new RequestRejectedException(
                      le.timedOut()
                          ? RequestRejectedException.Reason.LIMIT_TIMEOUT
                          : RequestRejectedException.Reason.LIMIT_QUEUE_FULL,
                      "request to " + call.authority() + " refused: " + le.getMessage(),
                      le));
            } else if (cause instanceof RejectedExecutionException && timer.isShutdown()) {
              // Queued just as the HttpOptimizer closed: the timer refused the queue timeout.
              result.completeExceptionally(closed(call.authority()));
            } else {
              result.completeExceptionally(cause);
            }
            return;
          }
          if (result.isDone()) {
            p.onIgnore(); // the caller went away while queued
            return;
          }
          CompletableFuture<Reply> inner;
          try {
            inner = next.proceed(call);
          } catch (RuntimeException e) {
            p.onIgnore();
            result.completeExceptionally(e);
            return;
          }
          Futures.propagateCancel(result, inner);
          inner.whenComplete(
              (reply, e) -> {
                release(p, reply, e);
                if (e == null) {
                  Futures.deliver(result, reply);
                } else {
                  result.completeExceptionally(Futures.unwrap(e));
                }
              });
        });
    return result;
  }

  private static void release(Permit p, Reply reply, Throwable error) {
    if (error == null) {
      if (reply.status() == 429 || reply.status() == 503) {
        p.onDropped();
      } else {
        p.onSuccess();
      }
      return;
    }
    if (Futures.unwrap(error) instanceof HttpTimeoutException) {
      p.onDropped();
    } else {
      p.onIgnore();
    }
  }

  /**
   * Fails the requests still queued for a permit, whose timeouts the shut-down timer dropped unrun;
   * call it once the timer is shut down. Then removes the limits' instruments.
   */
  @Override
  public void close() {
    for (Queued q : queued) {
      q.failClosed();
    }
    for (HostLimit h : hosts.values()) {
      try {
        h.close();
      } catch (Exception e) {
        // closing instruments does not fail
      }
    }
  }
}
