package dev.optimizer.demo.load;

import dev.optimizer.ai.AiOptimizer;
import dev.optimizer.ai.chat.ChatAccounting;
import dev.optimizer.api.Knob;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.cache.ResultCacheStats;
import dev.optimizer.http.HttpOptimizer;
import dev.optimizer.runtime.Optimizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples the optimizer once a second while a phase runs: every knob's value and the hit rate of
 * each cache over the last second (DB result cache, HTTP cache, AI response cache). Reads only the
 * public API of the beans the starter defines.
 */
public final class OptimizerSampler implements AutoCloseable {
  /** One sample. Hit rates are NaN in a second without cache lookups. */
  public record Sample(
      double second,
      Map<String, Double> knobs,
      double dbHitRate,
      double httpHitRate,
      double aiHitRate) {}

  private final Optimizer optimizer;
  private final DbOptimizer db;
  private final HttpOptimizer http;
  private final AiOptimizer ai;
  private final long start = System.nanoTime();
  private final List<Sample> samples = new ArrayList<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          dev.optimizer.demo.downstream.DaemonThreads.named("demo-sampler"));
  private long[] last = new long[6];

  /** Starts sampling these beans. */
  public OptimizerSampler(Optimizer optimizer, DbOptimizer db, HttpOptimizer http, AiOptimizer ai) {
    this.optimizer = optimizer;
    this.db = db;
    this.http = http;
    this.ai = ai;
    last = counters();
    timer.scheduleAtFixedRate(this::sample, 1, 1, TimeUnit.SECONDS);
  }

  private long[] counters() {
    ResultCacheStats d = db.resultCacheStats();
    HttpOptimizer.Stats h = http.stats();
    ChatAccounting a = ai.accounting();
    long upstream = a.perModel().values().stream().mapToLong(ChatAccounting.Usage::calls).sum();
    return new long[] {
      d.hits(), d.misses(), h.cacheHits(), h.cacheMisses(), a.cacheHits(), upstream
    };
  }

  private void sample() {
    try {
      Map<String, Double> knobs = new LinkedHashMap<>();
      for (Knob<?> k : optimizer.knobs()) {
        knobs.put(k.name(), k.numericValue());
      }
      long[] now = counters();
      Sample s =
          new Sample(
              (System.nanoTime() - start) / 1e9,
              knobs,
              rate(now[0] - last[0], now[1] - last[1]),
              rate(now[2] - last[2], now[3] - last[3]),
              rate(now[4] - last[4], now[5] - last[5]));
      last = now;
      synchronized (samples) {
        samples.add(s);
      }
    } catch (RuntimeException e) {
      // a sample missed while the context closes is no loss
    }
  }

  private static double rate(long hits, long misses) {
    return hits + misses == 0 ? Double.NaN : (double) hits / (hits + misses);
  }

  /** The samples so far. */
  public List<Sample> samples() {
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }

  /** Seconds since sampling started, at {@code nanoTime}. */
  public double secondAt(long nanoTime) {
    return (nanoTime - start) / 1e9;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
