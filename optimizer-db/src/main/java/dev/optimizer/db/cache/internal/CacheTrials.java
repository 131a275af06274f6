package dev.optimizer.db.cache.internal;

import dev.optimizer.api.Objective;
import dev.optimizer.api.Ticker;
import dev.optimizer.db.cache.CacheCandidate;
import dev.optimizer.db.cache.ResultCacheSettings;
import dev.optimizer.db.cache.ResultCacheTrialSettings;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.cache.TieredCache;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

/**
 * The result cache trials of one data source (AUTO mode only): takes the {@link CacheCandidates}'
 * findings, starts a {@link CacheTrial} for each query that qualifies while a slot is free, and
 * holds the results of trialled queries in a store of their own, bounded by the trials' byte
 * budget, apart from the rule-based cache.
 *
 * <p>A query qualifies when it was read {@code minReads}+ times, its expected hit rate reaches
 * {@code minHitRate}, no rule of the application already caches it or excludes it, and it was never
 * trialled before; the {@link CacheCandidates} only ever report queries the cache may hold
 * (deterministic reads of base tables). Trials start on the optimizer's scheduler when it has one
 * (so that a query thread never waits for the tuning engine), else at once on the caller's thread
 * (manual tuning, as in tests).
 *
 * <p>Thread-safe.
 */
public final class CacheTrials {
  private static final System.Logger LOG = System.getLogger("dev.optimizer.db.cache");

  private final Optimizer optimizer;
  private final ResultCacheTrialSettings settings;
  private final ResultCacheSettings rules;
  private final String knobPrefix;
  final TieredCache<CacheKey, CachedResult> store;
  final int maxEntryBytes;
  private final ConcurrentHashMap<Long, CacheTrial> trials = new ConcurrentHashMap<>();
  private int running; // guarded by this: trials started and not yet decided
  private boolean closed; // guarded by this

  CacheTrials(
      Optimizer optimizer,
      ResultCacheTrialSettings settings,
      ResultCacheSettings rules,
      String name) {
    this.optimizer = optimizer;
    this.settings = settings;
    this.rules = rules;
    this.knobPrefix = "db.result_cache." + name + ".";
    this.maxEntryBytes = (int) Math.min(Integer.MAX_VALUE, settings.maximumEntryBytes());
    this.store =
        TieredCache.<CacheKey, CachedResult>builder()
            .name("db-result-cache-trials " + name)
            .weigher((k, v) -> (int) Math.min(Integer.MAX_VALUE, (long) k.weight() + v.bytes))
            .maximumWeightBytes(settings.maximumBytes())
            .expireAfterWrite(settings.timeToLive())
            .ticker(optimizer.ticker())
            .build();
  }

  /** The trial of this query, or null when it was never trialled. One map read. */
  CacheTrial trial(long fingerprint) {
    return trials.isEmpty() ? null : trials.get(fingerprint);
  }

  Ticker ticker() {
    return optimizer.ticker();
  }

  boolean applies() {
    return optimizer.mode().applies();
  }

  /**
   * A candidate as the traffic now suggests it; starts its trial when it qualifies and a slot is
   * free. Cheap when it does not: a few comparisons and one map read.
   */
  public void consider(CacheCandidate c) {
    if (qualifies(c) && leftToTrials(c.text(), c.tables())) {
      start(c);
    }
  }

  /**
   * {@link #consider}, for a candidate whose statement's full text {@link #leftToTrials} already
   * accepted: a candidate's own text may be cut ({@link CacheCandidates}), and a rule's pattern
   * must be matched against the whole statement, as the cache matches it.
   */
  void considerChecked(CacheCandidate c) {
    if (qualifies(c)) {
      start(c);
    }
  }

  /**
   * Whether the user's rules leave a query with this sanitized text and these tables to the trials:
   * it reads a table, no exclusion names it, and no rule of the cache selects it already (user
   * rules win).
   */
  boolean leftToTrials(String sanitizedText, java.util.Set<String> tables) {
    return !tables.isEmpty()
        && !settings.excludes(sanitizedText, tables)
        && (rules == null || !rules.selects(sanitizedText, tables));
  }

  private boolean qualifies(CacheCandidate c) {
    return applies()
        && c.reads() >= settings.minReads()
        && c.expectedHitRate() >= settings.minHitRate()
        && !trials.containsKey(c.fingerprintId());
  }

  private void start(CacheCandidate c) {
    CacheTrial trial;
    synchronized (this) {
      if (closed
          || running >= settings.maxConcurrentTrials()
          || trials.size() >= settings.maxTrials()
          || trials.containsKey(c.fingerprintId())) {
        return;
      }
      trial =
          new CacheTrial(
              this, c.fingerprintId(), c.text(), knobPrefix + Long.toHexString(c.fingerprintId()));
      trials.put(c.fingerprintId(), trial);
      running++;
    }
    Runnable start = () -> register(trial);
    try {
      optimizer.scheduler().ifPresentOrElse(s -> s.execute(start), start);
    } catch (RejectedExecutionException e) {
      failed(trial, e); // the optimizer is closing
    }
  }

  private void register(CacheTrial trial) {
    try {
      optimizer
          .tune(trial.knob, trial.signal)
          .controller(trial)
          .objective(
              Objective.minimizeLatency(50)
                  .withMinGauge(CacheTrial.HIT_RATE, settings.minHitRate())
                  .withPreference(Objective.Preference.LOWER))
          .start();
      boolean closedMeanwhile;
      synchronized (this) {
        closedMeanwhile = closed;
      }
      if (closedMeanwhile) {
        optimizer.unregister(trial.knob.name()); // close() ran while this start was queued
        return;
      }
      LOG.log(System.Logger.Level.INFO, () -> "result cache trial registered: " + trial.knob);
    } catch (RuntimeException e) {
      failed(trial, e);
    }
  }

  private void failed(CacheTrial trial, RuntimeException e) {
    LOG.log(System.Logger.Level.WARNING, "could not start the trial " + trial.knob.name(), e);
    trial.neverStarted();
    synchronized (this) {
      // Keep it in the map as never to be tried again, but free its slot.
      running--;
    }
  }

  /** A trial reached its decision: its slot is free. */
  void concluded(CacheTrial trial) {
    synchronized (this) {
      running--;
    }
    LOG.log(System.Logger.Level.INFO, () -> "result cache trial ended: " + trial);
  }

  /** Drops every cached result of one query (its trial was rolled back). */
  void drop(long fingerprint) {
    store.invalidateLocalIf(k -> k.fingerprint() == fingerprint);
  }

  /** Trials started and not yet decided. */
  synchronized int running() {
    return running;
  }

  /**
   * Stops starting trials, takes every trial's knob out of the optimizer (a running trial is
   * abandoned, so its cache goes off) and empties the store.
   */
  void close() {
    List<CacheTrial> all;
    synchronized (this) {
      closed = true;
      all = new ArrayList<>(trials.values());
    }
    for (CacheTrial trial : all) {
      optimizer.unregister(trial.knob.name());
    }
    store.invalidateAll();
    store.close();
  }
}
