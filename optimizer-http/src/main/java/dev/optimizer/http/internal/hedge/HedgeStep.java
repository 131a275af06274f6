package dev.optimizer.http.internal.hedge;

import dev.optimizer.api.Ticker;
import dev.optimizer.http.internal.Futures;
import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.HttpStats;
import dev.optimizer.http.internal.LazyTimer;
import dev.optimizer.http.internal.Reply;
import dev.optimizer.http.internal.Step;
import dev.optimizer.runtime.retry.RetryBudget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

/**
 * Hedged requests ("The Tail at Scale"): when a safe request has not been answered after the host's
 * hedge delay — a high percentile of its recent attempt latencies — a backup goes out, and another
 * after each further delay, up to {@code maxHedges}. The first answer wins; the others are
 * cancelled. Each hedge withdraws a token from the budget shared with retries, so extra load stays
 * within the budget's ratio. Requests that are not safe (RFC 9110 §9.2.1) are never hedged.
 *
 * <p>A failed attempt does not end the request while another is still running; the request fails
 * with the first error once every attempt has failed and no hedge is due. Thread-safe.
 */
public final class HedgeStep implements Step {

  /** Settings of hedging. */
  public record Settings(
      double percentile,
      Duration minDelay,
      Duration maxDelay,
      int maxHedges,
      int window,
      int warmup) {}

  private final Settings settings;
  private final RetryBudget budget;
  private final LazyTimer timer;
  private final Ticker ticker;
  private final HttpStats stats;
  private final ConcurrentHashMap<String, LatencyWindow> hosts = new ConcurrentHashMap<>();
  private final boolean deposits;

  /**
   * A hedging step drawing on {@code budget}; it deposits each request's share itself when no retry
   * step above it does ({@code deposits}).
   */
  public HedgeStep(
      Settings settings,
      RetryBudget budget,
      LazyTimer timer,
      Ticker ticker,
      HttpStats stats,
      boolean deposits) {
    this.deposits = deposits;
    this.settings = settings;
    this.budget = budget;
    this.timer = timer;
    this.ticker = ticker;
    this.stats = stats;
  }

  /** The current hedge delay of a host in nanoseconds, -1 while it is not known yet. */
  public long delayNanos(String authority) {
    LatencyWindow w = hosts.get(authority);
    return w == null ? -1 : w.delayNanos();
  }

  private LatencyWindow window(String authority) {
    LatencyWindow w = hosts.get(authority);
    return w != null
        ? w
        : hosts.computeIfAbsent(
            authority,
            a ->
                new LatencyWindow(
                    settings.window(),
                    settings.percentile(),
                    settings.minDelay().toNanos(),
                    settings.maxDelay().toNanos(),
                    settings.warmup()));
  }

  @Override
  public CompletableFuture<Reply> apply(HttpCall call, Chain next) {
    if (deposits) {
      budget.onRequest();
    }
    if (!call.isSafe() || call.hasBody() || !call.repeatable()) {
      return next.proceed(call);
    }
    Hedged h = new Hedged(call, next, window(call.authority()));
    h.start();
    return h.result;
  }

  /** One hedged request: its attempts and its timer. */
  private final class Hedged {
    final CompletableFuture<Reply> result = new CompletableFuture<>();
    final HttpCall call;
    final Chain next;
    final LatencyWindow window;
    final List<Attempt> attempts = new ArrayList<>(2); // guarded by this
    Throwable firstError; // guarded by this
    LazyTimer.Entry timerTask; // guarded by this
    int hedges; // guarded by this
    boolean won; // guarded by this

    Hedged(HttpCall call, Chain next, LatencyWindow window) {
      this.call = call;
      this.next = next;
      this.window = window;
    }

    void start() {
      result.whenComplete((r, e) -> cancelAll());
      launch(false);
      scheduleHedge();
    }

    private void scheduleHedge() {
      long delay = window.delayNanos();
      if (delay < 0 || settings.maxHedges() == 0) {
        return;
      }
      synchronized (this) {
        if (result.isDone() || hedges >= settings.maxHedges()) {
          return;
        }
        // A hedge may go out up to 1/16 of its delay late: one timer wake-up then serves the
        // hedges of many requests, nearly all of which are cancelled before they are due.
        try {
          timerTask = timer.schedule(this::hedge, delay, delay / 16);
        } catch (RejectedExecutionException e) {
          // Closed under this request: the attempt already sent still answers it, unhedged.
        }
      }
    }

    private void hedge() {
      synchronized (this) {
        if (result.isDone()) {
          return;
        }
        if (!budget.tryWithdraw()) {
          stats.budgetExhausted.increment();
          return;
        }
        hedges++;
      }
      stats.hedgesSent.increment();
      launch(true);
      scheduleHedge();
    }

    private void launch(boolean isHedge) {
      Attempt a = new Attempt(isHedge, ticker.read());
      synchronized (this) {
        if (result.isDone()) {
          return;
        }
        attempts.add(a);
      }
      CompletableFuture<Reply> f;
      try {
        f = next.proceed(call);
      } catch (RuntimeException e) {
        f = CompletableFuture.failedFuture(e);
      }
      a.future = f;
      if (result.isDone()) {
        f.cancel(true);
      }
      f.whenComplete((reply, error) -> landed(a, reply, error));
    }

    private void landed(Attempt a, Reply reply, Throwable error) {
      if (a.future != null && a.future.isCancelled()) {
        return; // a cancelled loser
      }
      a.done = true;
      if (error == null) {
        window.record(ticker.read() - a.startNanos);
        synchronized (this) {
          if (won) {
            reply.discard(); // a loser that answered too: its unread body holds a connection
            return;
          }
          won = true;
        }
        if (a.hedge) {
          stats.hedgesWon.increment(); // before completing: the caller may read stats at once
        }
        if (!result.complete(reply)) {
          reply.discard();
        }
        return;
      }
      boolean allFailed;
      synchronized (this) {
        if (firstError == null) {
          firstError = Futures.unwrap(error);
        }
        allFailed = attempts.stream().allMatch(x -> x.done);
        if (allFailed && timerTask != null) {
          timerTask.cancel();
        }
      }
      if (allFailed) {
        result.completeExceptionally(firstError);
      }
    }

    private void cancelAll() {
      List<Attempt> running;
      synchronized (this) {
        if (timerTask != null) {
          timerTask.cancel();
        }
        running = new ArrayList<>(attempts);
      }
      // A cancelled loser's running time is not recorded: it was cut at about the hedge delay
      // plus a fast answer, so recording it pulled the percentile towards the delay itself, a
      // loop that drifted the delay to four times the median (25 ms for 5 ms answers) and let the
      // slowest requests wait for a second hedge. The budget, not the window, bounds extra load.
      for (Attempt a : running) {
        CompletableFuture<Reply> f = a.future;
        if (f != null && !f.isDone()) {
          f.cancel(true);
        }
      }
    }
  }

  private static final class Attempt {
    final boolean hedge;
    final long startNanos;
    volatile CompletableFuture<Reply> future;
    volatile boolean done;

    Attempt(boolean hedge, long startNanos) {
      this.hedge = hedge;
      this.startNanos = startNanos;
    }
  }
}
