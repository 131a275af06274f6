package dev.optimizer.http.internal;

import dev.optimizer.api.Ticker;
import dev.optimizer.runtime.cache.TieredCache;
import dev.optimizer.runtime.coalesce.Coalescer;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongUpDownCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The module's instruments. Per physical request, the semantic conventions' {@code
 * http.client.request.duration} (seconds; {@code http.request.method}, {@code server.address},
 * {@code server.port}, {@code http.response.status_code}, {@code error.type}) and {@code
 * http.client.active_requests}. Under {@code optimizer.http.*}, counters read from {@link
 * HttpStats} only when metrics are collected. No header value, query string or body is ever
 * recorded.
 */
public final class HttpTelemetry implements AutoCloseable {
  static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> NAME = AttributeKey.stringKey("optimizer.http.name");
  static final AttributeKey<String> CACHE_RESULT =
      AttributeKey.stringKey("optimizer.http.cache.result");

  private static final Set<String> KNOWN_METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
  private static final List<Double> BUCKETS =
      List.of(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0);

  private final DoubleHistogram duration;
  private final LongUpDownCounter active;
  private final Ticker ticker;
  private final HttpStats stats;
  private final List<AutoCloseable> observers = new ArrayList<>();
  private final ConcurrentHashMap<String, Attributes> hostAttributes = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Outcome, Attributes> outcomeAttributes =
      new ConcurrentHashMap<>();

  /**
   * Creates the instruments; {@code remoteCache} (the cache's counters, when it has a remote tier)
   * may be null.
   */
  public HttpTelemetry(
      Meter meter,
      Ticker ticker,
      HttpStats stats,
      String name,
      Supplier<Coalescer<?, ?>> coalescer,
      Supplier<TieredCache.Stats> remoteCache) {
    this.ticker = ticker;
    this.stats = stats;
    this.duration =
        meter
            .histogramBuilder("http.client.request.duration")
            .setUnit("s")
            .setDescription("Duration of HTTP client requests.")
            .setExplicitBucketBoundariesAdvice(BUCKETS)
            .build();
    this.active =
        meter
            .upDownCounterBuilder("http.client.active_requests")
            .setUnit("{request}")
            .setDescription("Number of active HTTP requests.")
            .build();
    Attributes a = Attributes.of(NAME, name);
    counter(
        meter,
        "optimizer.http.cache.hits",
        "{request}",
        "Requests answered from the cache, by how.",
        m -> {
          m.record(stats.cacheHits.sum(), a.toBuilder().put(CACHE_RESULT, "fresh").build());
          m.record(
              stats.staleWhileRevalidate.sum(),
              a.toBuilder().put(CACHE_RESULT, "stale_while_revalidate").build());
          m.record(
              stats.staleIfError.sum(), a.toBuilder().put(CACHE_RESULT, "stale_if_error").build());
          m.record(stats.notModified.sum(), a.toBuilder().put(CACHE_RESULT, "revalidated").build());
        });
    simple(
        meter,
        "optimizer.http.cache.misses",
        "Requests the cache held nothing for.",
        stats.cacheMisses,
        a);
    if (remoteCache != null) {
      counter(
          meter,
          "optimizer.http.cache.remote",
          "{operation}",
          "Remote-tier (Redis) reads by result, and remote operations that failed or timed out.",
          m -> {
            TieredCache.Stats r = remoteCache.get();
            m.record(r.remoteHits(), a.toBuilder().put(CACHE_RESULT, "hit").build());
            m.record(r.remoteMisses(), a.toBuilder().put(CACHE_RESULT, "miss").build());
            m.record(r.remoteTimeouts(), a.toBuilder().put(CACHE_RESULT, "timeout").build());
            m.record(r.remoteErrors(), a.toBuilder().put(CACHE_RESULT, "error").build());
            m.record(stats.remoteCorrupt.sum(), a.toBuilder().put(CACHE_RESULT, "corrupt").build());
          });
    }
    simple(
        meter,
        "optimizer.http.cache.revalidations",
        "Conditional requests sent to validate a stored response.",
        stats.revalidations,
        a);
    simple(meter, "optimizer.http.cache.stores", "Responses stored.", stats.stores, a);
    simple(
        meter,
        "optimizer.http.cache.invalidations",
        "URIs invalidated by unsafe requests.",
        stats.invalidations,
        a);
    counter(
        meter,
        "optimizer.http.coalesced",
        "{request}",
        "Requests that joined an identical request in flight.",
        m -> {
          Coalescer<?, ?> c = coalescer.get();
          m.record(c == null ? 0 : c.stats().coalesced(), a);
        });
    simple(
        meter, "optimizer.http.hedge.sent", "Hedged (backup) requests sent.", stats.hedgesSent, a);
    simple(
        meter,
        "optimizer.http.hedge.won",
        "Hedged requests that answered first.",
        stats.hedgesWon,
        a);
    simple(meter, "optimizer.http.retries", "Retries sent.", stats.retries, a);
    simple(
        meter,
        "optimizer.http.budget.exhausted",
        "Hedges or retries not sent for want of budget.",
        stats.budgetExhausted,
        a);
    simple(
        meter,
        "optimizer.http.limit.rejected",
        "Requests refused by a host's concurrency limit.",
        stats.limitRejected,
        a);
    simple(
        meter,
        "optimizer.http.breaker.rejected",
        "Requests refused by an open circuit breaker.",
        stats.breakerRejected,
        a);
  }

  private void simple(Meter meter, String name, String description, LongAdder adder, Attributes a) {
    counter(meter, name, "{request}", description, m -> m.record(adder.sum(), a));
  }

  private void counter(
      Meter meter,
      String name,
      String unit,
      String description,
      Consumer<ObservableLongMeasurement> callback) {
    observers.add(
        meter
            .counterBuilder(name)
            .setUnit(unit)
            .setDescription(description)
            .buildWithCallback(callback));
  }

  /** Adds an observer to close with the telemetry (a gauge of the limits, for one). */
  public void add(AutoCloseable observer) {
    observers.add(observer);
  }

  /**
   * Measures one physical request. The future returned completes once the request is recorded, so
   * that whoever gets the answer finds it in the metrics; completing it from outside (cancelling
   * it, or failing it at the caller's deadline) completes the transport's alike, so that the
   * transport gives the exchange up.
   */
  public CompletableFuture<Reply> measure(HttpCall call, Transport transport) {
    stats.networkRequests.increment();
    Attributes host = hostAttributes(call);
    active.add(1, host);
    long start = ticker.read();
    CompletableFuture<Reply> f;
    try {
      f = transport.send(call);
    } catch (RuntimeException e) {
      active.add(-1, host);
      throw e;
    }
    // Not f itself: its dependents run newest first, so the caller's (added after this one) would
    // see the answer before it is recorded, and a caller reading the metrics at once would miss it.
    CompletableFuture<Reply> measured = new CompletableFuture<>();
    f.whenComplete(
        (reply, error) -> {
          try {
            record(call, host, start, reply, error, f.isCancelled());
          } finally {
            if (error == null) {
              Futures.deliver(measured, reply);
            } else {
              measured.completeExceptionally(error);
            }
          }
        });
    measured.whenComplete(
        (reply, error) -> {
          if (!f.isDone()) { // completed from outside: the transport must hear of it, as before
            if (measured.isCancelled()) {
              f.cancel(true);
            } else if (error != null) {
              f.completeExceptionally(error);
            } else {
              f.complete(reply);
            }
          }
        });
    return measured;
  }

  private void record(
      HttpCall call, Attributes host, long start, Reply reply, Throwable error, boolean cancelled) {
    active.add(-1, host);
    String method = KNOWN_METHODS.contains(call.method()) ? call.method() : "_OTHER";
    Attributes attributes;
    if (error == null) {
      attributes = answered(call.authority(), host, method, reply.status());
    } else {
      attributes =
          host.toBuilder()
              .put(METHOD, method)
              .put(ERROR_TYPE, cancelled ? "cancelled" : Futures.unwrap(error).getClass().getName())
              .build();
    }
    duration.record((ticker.read() - start) / 1e9, attributes);
  }

  /**
   * The attributes of an answered request. Building them (a builder, then a sort) cost more than
   * the rest of the measurement, and a service sees few host × method × status combinations, so
   * they are kept, up to a bound.
   */
  private Attributes answered(String authority, Attributes host, String method, int status) {
    Outcome key = new Outcome(authority, method, status);
    Attributes a = outcomeAttributes.get(key);
    if (a == null) {
      AttributesBuilder b = host.toBuilder().put(METHOD, method).put(STATUS, (long) status);
      if (status >= 400) {
        b.put(ERROR_TYPE, Integer.toString(status));
      }
      a = b.build();
      if (outcomeAttributes.size() < 10_000) {
        outcomeAttributes.put(key, a);
      }
    }
    return a;
  }

  private record Outcome(String authority, String method, int status) {}

  private Attributes hostAttributes(HttpCall call) {
    String authority = call.authority();
    Attributes a = hostAttributes.get(authority);
    if (a == null) {
      a = Attributes.of(ADDRESS, call.uri().getHost(), PORT, (long) HttpCall.port(call.uri()));
      if (hostAttributes.size() < 10_000) {
        hostAttributes.put(authority, a);
      }
    }
    return a;
  }

  /** The attributes of a host, for other instruments. */
  public static Attributes host(String host, int port) {
    return Attributes.of(ADDRESS, host, PORT, (long) port);
  }

  @Override
  public void close() {
    for (AutoCloseable o : observers) {
      try {
        o.close();
      } catch (Exception e) {
        // unregistering a callback does not fail
      }
    }
    observers.clear();
  }
}
