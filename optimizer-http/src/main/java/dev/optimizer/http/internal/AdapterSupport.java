package dev.optimizer.http.internal;

import dev.optimizer.api.Ticker;
import dev.optimizer.http.internal.transport.jdk.OptimizedHttpClient;
import dev.optimizer.runtime.Optimizer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;

/**
 * What a framework adapter (the Spring {@code RestClient} interceptor, the {@code WebClient}
 * exchange filter) needs to run its requests through an {@code HttpOptimizer}'s pipeline with a
 * transport of its own: the pipeline shares the optimizer's cache, coalescer, limits, budget and
 * telemetry with every other client it wraps. Internal API; thread-safe.
 */
public final class AdapterSupport {
  private final Optimizer optimizer;
  private final Identity identity;
  private final ExecutorService io;
  private final long maxResponseBodyBytes;
  private final Function<Transport, Pipeline> pipelines;
  private final LazyTimer timer;
  private final Function<AutoCloseable, AutoCloseable> closeWith;

  /** Support over one HttpOptimizer's parts. */
  public AdapterSupport(
      Optimizer optimizer,
      Identity identity,
      ExecutorService io,
      LazyTimer timer,
      long maxResponseBodyBytes,
      Function<Transport, Pipeline> pipelines,
      Function<AutoCloseable, AutoCloseable> closeWith) {
    this.timer = timer;
    this.closeWith = closeWith;
    this.optimizer = optimizer;
    this.identity = identity;
    this.io = io;
    this.maxResponseBodyBytes = maxResponseBodyBytes;
    this.pipelines = pipelines;
  }

  /**
   * The pipeline in front of {@code transport}, measured by the optimizer's telemetry. Once the
   * HttpOptimizer is closed, it fails each call with an {@link IOException} before any step runs or
   * anything is sent, as the wrapped {@link HttpClient} does: every adapter takes its pipeline from
   * here, so the blocking and the reactive ones behave alike (a transport of its own, such as a
   * WebClient connector, would otherwise go on sending).
   */
  public Pipeline pipeline(Transport transport) {
    Pipeline steps = pipelines.apply(transport);
    return new Pipeline(List.of(this::refuseOnceClosed), steps::execute);
  }

  private CompletableFuture<Reply> refuseOnceClosed(HttpCall call, Step.Chain next) {
    // The timer closes with the HttpOptimizer; OptimizedHttpClient reads the same flag.
    if (timer.isClosed()) {
      return CompletableFuture.failedFuture(new IOException("HttpOptimizer is closed"));
    }
    return next.proceed(call);
  }

  /**
   * A drop-in {@link HttpClient} sending through {@code transport}: {@code configuration} only
   * answers the getters (cookie handler, proxy, version...). In {@code Mode.OFF} calls go to the
   * transport without steps, unmeasured. Closing the client ({@code close()}, {@code
   * shutdownNow()}) closes {@code owned}, what {@link #closeWith} returned for the transport.
   */
  public HttpClient client(HttpClient configuration, Transport transport, AutoCloseable owned) {
    // Not pipeline(transport): OptimizedHttpClient refuses calls itself once closed.
    return new OptimizedHttpClient(
        configuration,
        pipelines.apply(transport),
        optimizer,
        timer,
        identity,
        new Pipeline(List.of(), transport),
        owned);
  }

  /**
   * Closes {@code resource} when the HttpOptimizer closes (at once if it is closed already).
   *
   * @return what closes {@code resource} sooner and lets the HttpOptimizer forget it; for the
   *     resource's owner to call when it is closed first. Idempotent if the resource's close is.
   */
  public AutoCloseable closeWith(AutoCloseable resource) {
    return closeWith.apply(resource);
  }

  /**
   * Whether requests go through the pipeline (false in {@code Mode.OFF}: pass straight through).
   */
  public boolean active() {
    return optimizer.mode().observes();
  }

  /**
   * A call of an adapter's request: no deadline of the pipeline's own (the client's timeouts
   * apply), no extra header fields yet, made for whom its header fields say.
   */
  public HttpCall call(
      String method,
      java.net.URI uri,
      java.net.http.HttpHeaders headers,
      boolean hasBody,
      Object nativeRequest) {
    return new HttpCall(
        method,
        uri,
        headers,
        hasBody,
        nativeRequest,
        Long.MAX_VALUE,
        java.util.Map.of(),
        identityOf(headers));
  }

  /** Who a request with these header fields is made for (see {@link Identity}). */
  public String identityOf(java.net.http.HttpHeaders headers) {
    return identity.of(headers);
  }

  /** Where blocking transports run their attempts (the optimizer's I/O threads). */
  public ExecutorService io() {
    return io;
  }

  /** The largest response body the optimizer buffers. */
  public long maxResponseBodyBytes() {
    return maxResponseBodyBytes;
  }

  /** Where the optimizer's instruments go. */
  public io.opentelemetry.api.metrics.Meter meter() {
    return optimizer.meter();
  }

  /** The optimizer's wall clock (RFC 9111 request and response times). */
  public Clock clock() {
    return optimizer.clock();
  }

  /** The optimizer's ticker (deadlines). */
  public Ticker ticker() {
    return optimizer.ticker();
  }
}
