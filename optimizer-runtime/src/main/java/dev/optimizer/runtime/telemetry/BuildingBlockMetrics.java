package dev.optimizer.runtime.telemetry;

import dev.optimizer.api.internal.Checks;
import dev.optimizer.runtime.batch.MicroBatcher;
import dev.optimizer.runtime.cache.TieredCache;
import dev.optimizer.runtime.coalesce.Coalescer;
import dev.optimizer.runtime.limit.ConcurrencyLimiter;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Reports the runtime's building blocks through OpenTelemetry under {@code optimizer.*}. Every
 * instrument is asynchronous and reads the block's statistics only when metrics are collected, so
 * nothing is added to the path of a call. Each method returns a handle that removes the instruments
 * when closed; modules close it together with the block.
 *
 * <table>
 *   <caption>Instruments</caption>
 *   <tr><th>block</th><th>instruments</th><th>attributes</th></tr>
 *   <tr><td>batcher</td><td>{@code optimizer.batcher.batches}, {@code .items}, {@code
 *       .rejected} (counters), {@code .queued} (up-down)</td><td>{@code
 *       optimizer.batcher.name}</td></tr>
 *   <tr><td>coalescer</td><td>{@code optimizer.coalescer.loads}, {@code .coalesced}
 *       (counters)</td><td>{@code optimizer.coalescer.name}</td></tr>
 *   <tr><td>cache</td><td>{@code optimizer.cache.hits}, {@code .misses} (counters, by {@code
 *       optimizer.cache.tier} local/remote), {@code .loads}, {@code .evictions}, {@code
 *       .remote.failures} (by {@code error.type} timeout/error)</td><td>{@code
 *       optimizer.cache.name}</td></tr>
 *   <tr><td>limiter</td><td>{@code optimizer.limiter.limit}, {@code .inflight}, {@code .queued}
 *       (up-down), {@code .rejected} (counter)</td><td>{@code optimizer.limiter.name}</td></tr>
 * </table>
 */
public final class BuildingBlockMetrics {
  private static final AttributeKey<String> TIER = AttributeKey.stringKey("optimizer.cache.tier");
  private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  private BuildingBlockMetrics() {}

  /** Reports a micro-batcher. */
  public static AutoCloseable observe(Meter meter, MicroBatcher<?, ?> batcher) {
    Checks.notNull("batcher", batcher);
    Attributes a = Attributes.of(AttributeKey.stringKey("optimizer.batcher.name"), batcher.name());
    Instruments i = new Instruments(meter);
    i.counter(
        "optimizer.batcher.batches",
        "{batch}",
        "Batches sent.",
        () -> batcher.stats().batches(),
        a);
    i.counter(
        "optimizer.batcher.items",
        "{item}",
        "Items sent in batches.",
        () -> batcher.stats().items(),
        a);
    i.counter(
        "optimizer.batcher.rejected",
        "{item}",
        "Items refused because the queue was full.",
        () -> batcher.stats().rejected(),
        a);
    i.upDown(
        "optimizer.batcher.queued",
        "{item}",
        "Items waiting for a batch.",
        () -> (long) batcher.stats().queuedItems(),
        a);
    return i;
  }

  /** Reports a coalescer under a name of the caller's choosing. */
  public static AutoCloseable observe(Meter meter, String name, Coalescer<?, ?> coalescer) {
    Checks.notNull("coalescer", coalescer);
    Attributes a =
        Attributes.of(
            AttributeKey.stringKey("optimizer.coalescer.name"), Checks.notBlank("name", name));
    Instruments i = new Instruments(meter);
    i.counter(
        "optimizer.coalescer.loads",
        "{call}",
        "Loads actually run.",
        () -> coalescer.stats().loads(),
        a);
    i.counter(
        "optimizer.coalescer.coalesced",
        "{call}",
        "Calls that joined a load already in flight.",
        () -> coalescer.stats().coalesced(),
        a);
    return i;
  }

  /** Reports a tiered cache under a name of the caller's choosing. */
  public static AutoCloseable observe(Meter meter, String name, TieredCache<?, ?> cache) {
    Checks.notNull("cache", cache);
    Attributes a =
        Attributes.of(
            AttributeKey.stringKey("optimizer.cache.name"), Checks.notBlank("name", name));
    Attributes local = a.toBuilder().put(TIER, "local").build();
    Attributes remote = a.toBuilder().put(TIER, "remote").build();
    Instruments i = new Instruments(meter);
    i.counterMulti(
        "optimizer.cache.hits",
        "{hit}",
        "Reads served by a tier.",
        m -> {
          TieredCache.Stats s = cache.stats();
          m.record(s.localHits(), local);
          m.record(s.remoteHits(), remote);
        });
    i.counterMulti(
        "optimizer.cache.misses",
        "{miss}",
        "Reads a tier could not serve.",
        m -> {
          TieredCache.Stats s = cache.stats();
          m.record(s.localMisses(), local);
          m.record(s.remoteMisses(), remote);
        });
    i.counter(
        "optimizer.cache.loads", "{load}", "Loads run on a miss.", () -> cache.stats().loads(), a);
    i.counter(
        "optimizer.cache.evictions",
        "{entry}",
        "Entries evicted for size.",
        () -> cache.stats().evictions(),
        a);
    i.counterMulti(
        "optimizer.cache.remote.failures",
        "{call}",
        "Remote-tier calls that failed or timed out.",
        m -> {
          TieredCache.Stats s = cache.stats();
          m.record(s.remoteTimeouts(), a.toBuilder().put(ERROR_TYPE, "timeout").build());
          m.record(s.remoteErrors(), a.toBuilder().put(ERROR_TYPE, "error").build());
        });
    return i;
  }

  /** Reports a concurrency limiter. */
  public static AutoCloseable observe(Meter meter, ConcurrencyLimiter limiter) {
    Checks.notNull("limiter", limiter);
    Attributes a = Attributes.of(AttributeKey.stringKey("optimizer.limiter.name"), limiter.name());
    Instruments i = new Instruments(meter);
    i.upDown(
        "optimizer.limiter.limit",
        "{call}",
        "Current concurrency limit.",
        () -> (long) limiter.limit(),
        a);
    i.upDown(
        "optimizer.limiter.inflight",
        "{call}",
        "Calls holding a permit.",
        () -> (long) limiter.inFlight(),
        a);
    i.upDown(
        "optimizer.limiter.queued",
        "{call}",
        "Calls waiting for a permit.",
        () -> (long) limiter.queued(),
        a);
    i.counter(
        "optimizer.limiter.rejected",
        "{call}",
        "Calls refused or timed out waiting.",
        () -> limiter.stats().rejected() + limiter.stats().timedOut(),
        a);
    return i;
  }

  /** The instruments of one block; closing removes them all. */
  private static final class Instruments implements AutoCloseable {
    private final Meter meter;
    private final List<AutoCloseable> handles = new ArrayList<>();

    Instruments(Meter meter) {
      this.meter = Checks.notNull("meter", meter);
    }

    void counter(String name, String unit, String description, Supplier<Long> value, Attributes a) {
      counterMulti(name, unit, description, m -> m.record(value.get(), a));
    }

    void counterMulti(
        String name,
        String unit,
        String description,
        java.util.function.Consumer<io.opentelemetry.api.metrics.ObservableLongMeasurement> cb) {
      handles.add(
          meter
              .counterBuilder(name)
              .setUnit(unit)
              .setDescription(description)
              .buildWithCallback(cb));
    }

    void upDown(String name, String unit, String description, Supplier<Long> value, Attributes a) {
      handles.add(
          meter
              .upDownCounterBuilder(name)
              .setUnit(unit)
              .setDescription(description)
              .buildWithCallback(m -> m.record(value.get(), a)));
    }

    @Override
    public void close() {
      for (AutoCloseable h : handles) {
        try {
          h.close();
        } catch (Exception e) {
          // Closing an OpenTelemetry instrument only unregisters a callback; it does not fail.
          throw new IllegalStateException("could not close instrument", e);
        }
      }
      handles.clear();
    }
  }
}
