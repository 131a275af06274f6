package dev.optimizer.http;

import dev.optimizer.api.internal.Checks;
import dev.optimizer.http.internal.AdapterSupport;
import dev.optimizer.http.internal.HttpSettings;
import dev.optimizer.http.internal.HttpStats;
import dev.optimizer.http.internal.HttpTelemetry;
import dev.optimizer.http.internal.Identity;
import dev.optimizer.http.internal.LazyTimer;
import dev.optimizer.http.internal.Pipeline;
import dev.optimizer.http.internal.Step;
import dev.optimizer.http.internal.Transport;
import dev.optimizer.http.internal.cache.CacheStep;
import dev.optimizer.http.internal.cache.SharedTiers;
import dev.optimizer.http.internal.coalesce.CoalesceStep;
import dev.optimizer.http.internal.hedge.HedgeStep;
import dev.optimizer.http.internal.limit.LimitStep;
import dev.optimizer.http.internal.retry.BreakerStep;
import dev.optimizer.http.internal.retry.RetryStep;
import dev.optimizer.http.internal.transport.jdk.JdkTransport;
import dev.optimizer.http.internal.transport.jdk.OptimizedHttpClient;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.cache.TieredCache;
import dev.optimizer.runtime.internal.ClosedOptimizer;
import dev.optimizer.runtime.retry.RetryBudget;
import dev.optimizer.runtime.telemetry.BuildingBlockMetrics;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * optimizer for HTTP clients. Wraps the {@link HttpClient} an application already uses so that
 * every request runs through one pipeline of steps:
 *
 * <pre>
 *   cache → coalesce → limit → retry → hedge → circuit breaker → transport
 * </pre>
 *
 * <ul>
 *   <li><b>cache</b>: a private (or shared) HTTP cache per RFC 9111 and RFC 5861, bounded by bytes;
 *   <li><b>coalesce</b>: identical GETs in flight at once become one request, never across
 *       identities;
 *   <li><b>limit</b>: a per-host concurrency limit moved by the runtime's gradient (or AIMD)
 *       controller, with a bounded, timed queue;
 *   <li><b>retry</b> and <b>hedge</b>: jittered retries honouring {@code Retry-After}, and backup
 *       requests after an adaptive delay, both drawing on one budget (5% of requests by default);
 *       never for requests that may not be repeated;
 *   <li><b>circuit breaker</b>: a Resilience4j breaker per host.
 * </ul>
 *
 * <pre>{@code
 * HttpOptimizer http = HttpOptimizer.create(optimizer);
 * HttpClient client = http.wrap(HttpClient.newHttpClient());
 * HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
 * }</pre>
 *
 * <p>The wrapped client is a drop-in: {@code send} and {@code sendAsync} accept any {@link
 * java.net.http.HttpResponse.BodyHandler}, which receives the same status, fields and bytes. Bodies
 * are buffered (up to {@code maxResponseBodyBytes}) so that they can be cached and shared. In
 * {@link dev.optimizer.api.Mode#OFF} the wrapper is a pass-through. {@link #close()} (or closing
 * the optimizer) stops the timer thread and removes the instruments. Thread-safe.
 */
public final class HttpOptimizer implements AutoCloseable {
  private final Optimizer optimizer;
  private final HttpSettings settings;
  private final HttpStats stats = new HttpStats();
  private final ScheduledThreadPoolExecutor timer;
  private final LazyTimer lazyTimer;
  private final ExecutorService io;
  private final CacheStep cache;
  private final CoalesceStep coalesce;
  private final LimitStep limit;
  private final HedgeStep hedge;
  private final RetryStep retry;
  private final BreakerStep breaker;
  private final RetryBudget budget;
  private final HttpTelemetry telemetry;
  private final List<AutoCloseable> observers = new ArrayList<>();
  private final Identity identity;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Optimizer.Registration registration;

  HttpOptimizer(Optimizer optimizer, HttpSettings s) {
    // Before anything is started: nothing would ever stop the threads, the Redis connection or the
    // instruments of an HttpOptimizer that the closed optimizer cannot hold.
    ClosedOptimizer.refuse(optimizer, component(s.name()));
    this.optimizer = optimizer;
    this.settings = s;
    this.timer =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "optimizer-http-scheduler-" + s.name());
              t.setDaemon(true);
              return t;
            });
    timer.setRemoveOnCancelPolicy(true);
    // Hedges and request deadlines, one or two per request and nearly always cancelled, go to a
    // timer that does not wake a thread for each (see LazyTimer); retries and limit waits are rare.
    this.lazyTimer = new LazyTimer("optimizer-http-timer-" + s.name());
    AtomicInteger ioThreads = new AtomicInteger();
    this.io =
        Executors.newCachedThreadPool(
            r -> {
              Thread t =
                  new Thread(
                      r, "optimizer-http-io-" + s.name() + "-" + ioThreads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.identity = new Identity(s.identityFields());
    this.budget = new RetryBudget(s.budgetRatio(), s.budgetReserve(), optimizer.ticker());
    this.cache =
        s.cache()
            ? new CacheStep(
                s.sharedCache(),
                s.cacheMaxBytes(),
                s.cacheMaxRetention(),
                s.cacheMaxVariants(),
                s.heuristicFreshnessCap(),
                optimizer.clock(),
                stats,
                s.cacheRemote() == null
                    ? null
                    : SharedTiers.redis(
                        s.cacheRemote(),
                        s.sharedCache(),
                        s.heuristicFreshnessCap(),
                        optimizer.clock(),
                        stats,
                        s.name()),
                s.cacheRemote() == null ? null : s.cacheRemote().commandTimeout())
            : null;
    this.coalesce = s.coalescing() ? new CoalesceStep(optimizer.ticker()) : null;
    this.limit =
        s.adaptiveLimit() ? new LimitStep(optimizer, s.name(), s.limit(), timer, stats) : null;
    this.retry =
        s.maxAttempts() > 1
            ? new RetryStep(s.retry(), budget, timer, optimizer.ticker(), optimizer.clock(), stats)
            : null;
    this.hedge =
        s.hedging()
            ? new HedgeStep(s.hedge(), budget, lazyTimer, optimizer.ticker(), stats, retry == null)
            : null;
    this.breaker =
        s.circuitBreaker()
            ? new BreakerStep(s.breaker(), optimizer.clock(), optimizer.ticker(), stats)
            : null;
    this.telemetry =
        new HttpTelemetry(
            optimizer.meter(),
            optimizer.ticker(),
            stats,
            s.name(),
            () -> coalesce == null ? null : coalesce.coalescer(),
            cache == null || s.cacheRemote() == null ? null : () -> cache.store().stats());
    if (cache != null) {
      observers.add(
          BuildingBlockMetrics.observe(optimizer.meter(), "http." + s.name(), cache.store()));
    }
    Optimizer.Registration held;
    try {
      held = optimizer.onClose(this);
    } catch (IllegalStateException closedSince) {
      // The optimizer closed while this was being built: release what was started.
      stop();
      throw ClosedOptimizer.refused(component(s.name()), closedSince);
    }
    this.registration = held;
  }

  /** What a closed optimizer's refusal names ({@link ClosedOptimizer}). */
  private static String component(String name) {
    return "HttpOptimizer '" + name + "'";
  }

  /**
   * An HttpOptimizer with every default (see {@link HttpOptimizerBuilder}).
   *
   * @throws IllegalStateException if {@code optimizer} is closed
   */
  public static HttpOptimizer create(Optimizer optimizer) {
    return builder(optimizer).build();
  }

  /** Starts an HttpOptimizer with settings of its own. */
  public static HttpOptimizerBuilder builder(Optimizer optimizer) {
    return new HttpOptimizerBuilder(Checks.notNull("optimizer", optimizer));
  }

  /**
   * Whether {@code client} already runs an HttpOptimizer's pipeline (a client from {@link #wrap} or
   * from {@code NettyHttpClient}), so that a framework integration does not wrap it twice.
   */
  public static boolean isWrapped(HttpClient client) {
    return client instanceof OptimizedHttpClient;
  }

  /**
   * Wraps a client. The result is an {@link HttpClient} that behaves like {@code delegate} — its
   * executor, proxy, TLS, redirect, cookie and authenticator settings still apply — with the
   * pipeline in front. Wrapped clients of one HttpOptimizer share its cache, limits and budget.
   *
   * @throws IllegalStateException if this HttpOptimizer is closed
   */
  public HttpClient wrap(HttpClient delegate) {
    Checks.notNull("delegate", delegate);
    if (closed.get()) {
      throw new IllegalStateException("HttpOptimizer '" + settings.name() + "' is closed");
    }
    JdkTransport jdk =
        new JdkTransport(
            delegate,
            optimizer.clock(),
            settings.maxResponseBodyBytes(),
            ForkJoinPool.getCommonPoolParallelism() > 1 ? null : io,
            optimizer.ticker(),
            lazyTimer);
    Transport measured = call -> telemetry.measure(call, jdk);
    return new OptimizedHttpClient(
        delegate, new Pipeline(steps(), measured), optimizer, lazyTimer, identity);
  }

  /**
   * The pipeline, shared with every client this HttpOptimizer wraps, for a framework adapter to put
   * in front of a transport of its own. Internal: applications use {@link #wrap(HttpClient)} or the
   * adapters in {@code dev.optimizer.http.spring}.
   *
   * @throws IllegalStateException if this HttpOptimizer is closed
   */
  public AdapterSupport adapterSupport() {
    if (closed.get()) {
      throw new IllegalStateException("HttpOptimizer '" + settings.name() + "' is closed");
    }
    return new AdapterSupport(
        optimizer,
        identity,
        io,
        lazyTimer,
        settings.maxResponseBodyBytes(),
        transport -> new Pipeline(steps(), call -> telemetry.measure(call, transport)),
        this::closeWith);
  }

  /**
   * Closes a framework transport with this HttpOptimizer (at once if it is closed already). Returns
   * what closes it sooner: the client that owns the transport calls it from its own close, so that
   * this HttpOptimizer does not hold a closed transport (its event loop, pools and instruments) for
   * as long as it lives.
   */
  private AutoCloseable closeWith(AutoCloseable resource) {
    synchronized (observers) {
      if (!closed.get()) {
        observers.add(resource);
        return () -> {
          synchronized (observers) {
            observers.remove(resource);
          }
          resource.close(); // idempotent: our close may have reached it already
        };
      }
    }
    closeQuietly(resource);
    return () -> {};
  }

  private static void closeQuietly(AutoCloseable resource) {
    try {
      resource.close();
    } catch (Exception e) {
      // unregistering an instrument, or closing a transport of ours, does not fail
    }
  }

  /** How many instrument registrations and framework transports this holds, for tests. */
  int held() {
    synchronized (observers) {
      return observers.size();
    }
  }

  private List<Step> steps() {
    List<Step> steps = new ArrayList<>();
    if (cache != null) {
      steps.add(cache);
    }
    if (coalesce != null) {
      steps.add(coalesce);
    }
    if (limit != null) {
      steps.add(limit);
    }
    if (retry != null) {
      steps.add(retry);
    }
    if (hedge != null) {
      steps.add(hedge);
    }
    if (breaker != null) {
      steps.add(breaker);
    }
    return steps;
  }

  /** What the pipeline has done since this HttpOptimizer was built. */
  public Stats stats() {
    Map<String, Integer> limits = new TreeMap<>();
    TieredCache.Stats remote =
        cache == null || settings.cacheRemote() == null ? null : cache.store().stats();
    if (limit != null) {
      limit.hosts().forEach((host, l) -> limits.put(host, l.limiter().limit()));
    }
    return new Stats(
        stats.networkRequests.sum(),
        stats.cacheHits.sum(),
        stats.cacheMisses.sum(),
        stats.revalidations.sum(),
        stats.notModified.sum(),
        stats.staleWhileRevalidate.sum(),
        stats.staleIfError.sum(),
        coalesce == null ? 0 : coalesce.coalescer().stats().coalesced(),
        stats.hedgesSent.sum(),
        stats.hedgesWon.sum(),
        stats.retries.sum(),
        stats.budgetExhausted.sum(),
        stats.limitRejected.sum(),
        stats.breakerRejected.sum(),
        limits,
        remote == null ? 0 : remote.remoteHits(),
        remote == null ? 0 : remote.remoteMisses(),
        remote == null ? 0 : remote.remoteErrors() + remote.remoteTimeouts(),
        stats.remoteCorrupt.sum(),
        stats.remoteInvalidations.sum());
  }

  /**
   * Counters since the HttpOptimizer was built.
   *
   * @param networkRequests physical requests sent (hedges and retries included)
   * @param cacheHits requests answered by a fresh stored response
   * @param cacheMisses requests the cache held nothing for
   * @param revalidations conditional requests sent for a stored response
   * @param notModified revalidations answered 304
   * @param staleWhileRevalidate stale responses served while revalidated in the background
   * @param staleIfError stale responses served because the origin failed
   * @param coalesced requests that joined an identical one in flight
   * @param hedgesSent backup requests sent
   * @param hedgesWon backup requests that answered first
   * @param retries retries sent
   * @param budgetExhausted hedges or retries not sent for want of budget
   * @param limitRejected requests refused by a host's concurrency limit
   * @param breakerRejected requests refused by an open circuit breaker
   * @param limits each host's current concurrency limit, by {@code host:port}
   * @param remoteHits local misses answered by the remote tier (Redis)
   * @param remoteMisses remote-tier reads that found nothing usable
   * @param remoteFailures remote-tier operations that failed or were given up after the timeout
   *     (the cache went on without Redis)
   * @param remoteCorrupt remote-tier entries that could not be read (corrupt, or written by another
   *     format version): served as misses
   * @param remoteInvalidations entries dropped because another instance announced their
   *     invalidation (RFC 9111 §4.4)
   */
  public record Stats(
      long networkRequests,
      long cacheHits,
      long cacheMisses,
      long revalidations,
      long notModified,
      long staleWhileRevalidate,
      long staleIfError,
      long coalesced,
      long hedgesSent,
      long hedgesWon,
      long retries,
      long budgetExhausted,
      long limitRejected,
      long breakerRejected,
      Map<String, Integer> limits,
      long remoteHits,
      long remoteMisses,
      long remoteFailures,
      long remoteCorrupt,
      long remoteInvalidations) {}

  /**
   * Stops the timer thread and removes the instruments. Requests through the wrapped clients then
   * fail with an {@link java.io.IOException}, and so do requests waiting for a retry or queued for
   * a permit of the concurrency limit. The Netty clients built on it and still open are closed too,
   * failing what they have in flight, and this waits for their connections and event-loop threads
   * to be released; called on one of those threads (from a callback of one of their calls), it does
   * not wait for that client's, which need the thread: they are released as soon as the callback is
   * over. Closed before the optimizer, it is no longer held by the optimizer. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    // Closed before the optimizer: it no longer holds this. Null only when the optimizer closes
    // this between taking it and our constructor keeping the registration.
    Optimizer.Registration r = registration;
    if (r != null) {
      r.release();
    }
    stop();
  }

  /** Stops and releases everything this started; by close(), and by a constructor that fails. */
  private void stop() {
    closed.set(true);
    timer.shutdownNow();
    if (retry != null) {
      retry.close(); // after the timer: the retries it dropped unrun fail instead of hanging
    }
    lazyTimer.close();
    io.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
      io.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    telemetry.close();
    if (limit != null) {
      limit.close();
    }
    synchronized (observers) {
      observers.forEach(HttpOptimizer::closeQuietly);
    }
    if (cache != null) {
      cache.store().close();
    }
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed.get();
  }
}
