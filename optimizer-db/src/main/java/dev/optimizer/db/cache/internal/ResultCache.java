package dev.optimizer.db.cache.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.optimizer.db.cache.ResultCacheSettings;
import dev.optimizer.db.cache.ResultCacheStats;
import dev.optimizer.db.cache.ResultCacheTrialSettings;
import dev.optimizer.db.internal.StatementKey;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.cache.TieredCache;
import java.sql.Connection;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The result cache of one wrapped DataSource: the cached results (a bytes-bounded {@link
 * TieredCache}, which also gives one load per key under a stampede), the per-table versions that
 * decide whether a result is still fresh, the per-fingerprint analyses and the table catalog.
 * Connections reach it through a {@link LeaseCache} each.
 *
 * <p>With {@link ResultCacheSettings#remote()} set, a {@link RemoteTier} is shared with the other
 * instances: a local miss asks Redis before the database, a database load is stored there too, and
 * every invalidation is sent to Redis (versions and pub/sub) before it is applied here.
 *
 * <p>With trials ({@link ResultCacheTrialSettings}), queries no rule selects may be cached too, one
 * judged trial each ({@link CacheTrials}), in a store of their own (never in Redis); the versions,
 * the invalidation books and the safety checks are the same. Without rules ({@code settings} null)
 * only trialled queries are cached.
 *
 * <p>What the cache keeps per query besides its results (the key pins per statement text, the
 * refresh recipes per written key, the version slots per key) is bounded apart from them, by {@link
 * #bookkeepingBudget} bytes: a quarter of {@code maximumBytes}, so that the whole cache holds at
 * most 1.25 times that. A workload of many distinct statements or keys evicts bookkeeping there;
 * what it loses only costs precision (a key read left without its own slot is invalidated by any
 * write to its table) or a parse, never a stale read.
 *
 * <p>The tables its rules name are described ahead of their first query ({@link DescribeAhead}).
 *
 * <p>Thread-safe. {@link #close()} releases the cache's storage and its Redis connections, and
 * stops its background threads.
 */
public final class ResultCache implements AutoCloseable {
  /** The rules, or null when only trials select queries. */
  final ResultCacheSettings settings;

  final Optimizer optimizer;

  /** The results of rule-selected queries, or null without rules. */
  final TieredCache<CacheKey, CachedResult> results;

  /** The trials, or null when none are allowed. */
  final CacheTrials trials;

  final TableVersions versions;
  final TableCatalog catalog = new TableCatalog();
  final Set<String> temporaryTables = ConcurrentHashMap.newKeySet();
  final int maxEntryBytes;
  private final String name;

  private final StatementAnalyses analyses;

  /** Whether the analyses are this cache's own, closed with it, rather than its data source's. */
  private final boolean ownsAnalyses;

  /** The key pins per exact statement text, weighed by that text (it may be long). */
  private final Cache<String, java.util.Optional<KeyPins.Pin>> pins;

  /**
   * The bytes the per-query bookkeeping may take, apart from the results: a quarter for the pins, a
   * half for the refresh recipes, a quarter for the version slots of keys.
   */
  final long bookkeepingBudget;

  private final Cache<Long, Boolean> unkeepable = Caffeine.newBuilder().maximumSize(10_000).build();

  /**
   * Per physical connection: what it reads as; a SET on it marks it {@link #TAINTED}, code the
   * cache cannot read {@link #SESSION_UNKNOWN}.
   */
  private final Map<Object, ConnectionContext> contexts =
      Collections.synchronizedMap(new WeakHashMap<>());

  static final ConnectionContext TAINTED = new ConnectionContext("", "", "", "");

  /** A connection that ran code which may have changed its session: compared before it is used. */
  static final ConnectionContext SESSION_UNKNOWN =
      new ConnectionContext("?session", "?session", "?session", "?session");

  /** Per context, the {@link SessionState} digest of its first untouched connection. */
  /** Reference digests that could not be taken (see LeaseCache#offerReference). */
  final AtomicInteger sessionDigestFailures = new AtomicInteger();

  private final Cache<ConnectionContext, String> sessionDigests =
      Caffeine.newBuilder().maximumSize(1_000).build();

  final LongAdder hits = new LongAdder();
  final LongAdder misses = new LongAdder();
  final LongAdder bypasses = new LongAdder();
  final LongAdder stores = new LongAdder();
  final LongAdder notStored = new LongAdder();
  final LongAdder invalidations = new LongAdder();
  final LongAdder remoteHits = new LongAdder();

  /** The shared Redis tier, or null. */
  final RemoteTier remote;

  /** Refresh-ahead of hot results after writes, or null when off or not started. */
  volatile RefreshAhead refresher;

  /** The describe-ahead of the configured tables, or null when there is none. */
  private volatile DescribeAhead describer;

  private final java.util.List<AutoCloseable> observers = new java.util.ArrayList<>();

  /** A cache for one data source, selecting queries by rule only. */
  public ResultCache(Optimizer optimizer, ResultCacheSettings settings, String name) {
    this(optimizer, settings, null, name);
  }

  /**
   * A cache for one data source.
   *
   * @param settings the rules, or null for trials only
   * @param trialSettings the trials allowed in AUTO mode, or null for none
   * @throws IllegalArgumentException if both are null
   */
  public ResultCache(
      Optimizer optimizer,
      ResultCacheSettings settings,
      ResultCacheTrialSettings trialSettings,
      String name) {
    this(optimizer, settings, trialSettings, name, new StatementAnalyses(), true);
  }

  /**
   * A cache for one data source, sharing its statements' analyses with the data source's cache
   * candidates.
   *
   * @param settings the rules, or null for trials only
   * @param trialSettings the trials allowed in AUTO mode, or null for none
   * @param analyses the data source's statement analyses
   * @throws IllegalArgumentException if both settings are null
   */
  public ResultCache(
      Optimizer optimizer,
      ResultCacheSettings settings,
      ResultCacheTrialSettings trialSettings,
      String name,
      StatementAnalyses analyses) {
    this(optimizer, settings, trialSettings, name, analyses, false);
  }

  private ResultCache(
      Optimizer optimizer,
      ResultCacheSettings settings,
      ResultCacheTrialSettings trialSettings,
      String name,
      StatementAnalyses analyses,
      boolean ownsAnalyses) {
    if (settings == null && trialSettings == null) {
      throw new IllegalArgumentException("a result cache needs rules or trials");
    }
    this.optimizer = optimizer;
    this.settings = settings;
    this.name = name;
    this.analyses = analyses;
    this.ownsAnalyses = ownsAnalyses;
    this.maxEntryBytes =
        settings == null ? 0 : (int) Math.min(Integer.MAX_VALUE, settings.maximumEntryBytes());
    this.bookkeepingBudget =
        (settings != null ? settings.maximumBytes() : trialSettings.maximumBytes()) / 4;
    this.versions = new TableVersions(bookkeepingBudget / 4);
    this.pins =
        Caffeine.newBuilder()
            .maximumWeight(bookkeepingBudget / 4)
            .<String, java.util.Optional<KeyPins.Pin>>weigher(
                (sql, pin) -> (int) Math.min(Integer.MAX_VALUE, 96L + 2L * sql.length()))
            .executor(Runnable::run)
            .build();
    this.results =
        settings == null
            ? null
            : TieredCache.<CacheKey, CachedResult>builder()
                .name("db-result-cache " + name)
                .weigher((k, v) -> (int) Math.min(Integer.MAX_VALUE, (long) k.weight() + v.bytes))
                .maximumWeightBytes(settings.maximumBytes())
                .expireAfterWrite(settings.timeToLive())
                .ticker(optimizer.ticker())
                .build();
    this.trials =
        trialSettings == null ? null : new CacheTrials(optimizer, trialSettings, settings, name);
    this.remote =
        settings == null || settings.remote() == null ? null : startRemote(settings, name);
    observe(optimizer.meter(), name);
  }

  /** The trials of this data source, or null when none are allowed. */
  public CacheTrials trials() {
    return trials;
  }

  /**
   * Starts refresh-ahead when the settings ask for it: refreshes take connections from {@code pool}
   * (the data source that was wrapped) while {@code idle} says it has one to spare. Without {@code
   * idle} (not a HikariCP pool) nothing is refreshed: nobody could tell whether taking a connection
   * makes an application thread wait.
   */
  public void refreshFrom(javax.sql.DataSource pool, java.util.function.BooleanSupplier idle) {
    if (settings == null || !settings.refreshAhead() || idle == null || refresher != null) {
      return;
    }
    refresher =
        new RefreshAhead(this, pool, idle, settings.refreshMinHits(), name, bookkeepingBudget / 2);
  }

  /**
   * Describes the tables the rules name ({@code cacheTables}) off the request path, on a thread of
   * its own with a connection from {@code pool} (the data source that was wrapped), and takes the
   * session reference there too; see {@link DescribeAhead}. Nothing without such tables, or while
   * the mode is OFF (the wrapper is a pass-through then; the first query after the mode changes
   * describes what it reads, as it always did).
   */
  public void describeAheadFrom(javax.sql.DataSource pool) {
    if (settings == null || settings.tables().isEmpty() || !serving() || describer != null) {
      return;
    }
    describer =
        DescribeAhead.start(
            this, pool, java.util.List.copyOf(new java.util.TreeSet<>(settings.tables())), name);
  }

  /** Completes when the describe-ahead ended, at once when there is none (for tests). */
  java.util.concurrent.CompletableFuture<Void> describedAhead() {
    DescribeAhead d = describer;
    return d == null ? java.util.concurrent.CompletableFuture.completedFuture(null) : d.done();
  }

  /**
   * Takes {@code connection}'s session digest as the reference of its context when there is none
   * yet, as a lease's first untouched connection would ({@code LeaseCache#offerReference}), for a
   * connection the cache took from the pool itself: only when the cache has not seen its physical
   * connection tainted or in doubt, and outside a transaction (the caller rolled back). A digest
   * that cannot be taken here is left to the leases, and not counted against them.
   */
  void offerReference(Connection connection) throws java.sql.SQLException {
    Object physical = physical(connection);
    ConnectionContext known = context(physical);
    if (known == TAINTED || known == SESSION_UNKNOWN) {
      return;
    }
    ConnectionContext read = ConnectionContext.read(connection);
    if (known == null) {
      context(physical, read); // its first lease then skips reading it
    } else if (!known.equals(read)) {
      return; // not as the cache last saw it: not a reference
    }
    if (!SessionState.comparable(read) || sessionDigest(read) != null) {
      return;
    }
    sessionDigest(read, SessionState.digest(connection));
  }

  /**
   * The driver's connection behind a pool's proxy: what the cache keys a connection's context by,
   * since a pool hands the same physical connection out under a new proxy on every lease. The
   * connection itself when the pool will not unwrap it.
   */
  static Object physical(Connection c) {
    try {
      Connection p = c.unwrap(Connection.class);
      return p != null ? p : c;
    } catch (java.sql.SQLException | RuntimeException e) {
      return c;
    }
  }

  /** Estimated bytes held by the bookkeeping, after pending evictions; at most the budget. */
  long bookkeepingBytes() {
    pins.cleanUp();
    RefreshAhead r = refresher;
    return pins.policy().eviction().orElseThrow().weightedSize().orElse(0)
        + (r == null ? 0 : r.bytes())
        + versions.keySlotBytes();
  }

  /** Whether a rule of the application selects this query. */
  boolean selectsByRule(String sanitizedText, Set<String> tables) {
    return settings != null && settings.selects(sanitizedText, tables);
  }

  /** Estimated bytes held by both stores. */
  long bytes() {
    return (results == null ? 0 : results.weightedSizeBytes())
        + (trials == null ? 0 : trials.store.weightedSizeBytes());
  }

  private RemoteTier startRemote(ResultCacheSettings settings, String name) {
    RemoteTier.Listener listener =
        new RemoteTier.Listener() {
          @Override
          public void invalidated(
              Collection<String> tables, Collection<KeyWrite> keys, boolean all) {
            invalidateLocal(tables, keys, all);
          }

          @Override
          public void mayHaveMissed() {
            clear();
          }
        };
    try {
      return new RemoteTier(settings.remote(), settings.timeToLive(), listener, name);
    } catch (NoClassDefFoundError e) {
      throw new IllegalStateException(
          "the result cache's remote tier needs io.lettuce:lettuce-core on the class path", e);
    }
  }

  /** Counters read by OpenTelemetry at collection time; nothing on the query path. */
  private void observe(io.opentelemetry.api.metrics.Meter meter, String name) {
    io.opentelemetry.api.common.AttributeKey<String> result =
        io.opentelemetry.api.common.AttributeKey.stringKey("result");
    io.opentelemetry.api.common.Attributes pool =
        io.opentelemetry.api.common.Attributes.of(
            io.opentelemetry.api.common.AttributeKey.stringKey("db.client.connection.pool.name"),
            String.valueOf(name));
    observers.add(
        meter
            .counterBuilder("optimizer.db.result_cache.lookups")
            .setUnit("{lookup}")
            .setDescription("Queries the result cache was asked, by result: hit, miss, bypass.")
            .buildWithCallback(
                m -> {
                  m.record(hits.sum(), pool.toBuilder().put(result, "hit").build());
                  m.record(misses.sum(), pool.toBuilder().put(result, "miss").build());
                  m.record(bypasses.sum(), pool.toBuilder().put(result, "bypass").build());
                  if (remote != null) {
                    m.record(remoteHits.sum(), pool.toBuilder().put(result, "remote_hit").build());
                  }
                }));
    if (remote != null) {
      observers.add(
          meter
              .counterBuilder("optimizer.db.result_cache.remote.errors")
              .setUnit("{error}")
              .setDescription("Redis commands of the result cache that failed or timed out.")
              .buildWithCallback(m -> m.record(remote.errors.sum(), pool)));
    }
    observers.add(
        meter
            .counterBuilder("optimizer.db.result_cache.invalidations")
            .setUnit("{invalidation}")
            .setDescription("Tables or keys invalidated by the application's own writes.")
            .buildWithCallback(m -> m.record(invalidations.sum(), pool)));
    observers.add(
        meter
            .counterBuilder("optimizer.db.result_cache.refreshes")
            .setUnit("{refresh}")
            .setDescription(
                "Hot results reloaded after the application's writes, by result: stored, dropped,"
                    + " failed.")
            .buildWithCallback(
                m -> {
                  RefreshAhead r = refresher;
                  if (r != null) {
                    m.record(r.stored.sum(), pool.toBuilder().put(result, "stored").build());
                    m.record(r.dropped.sum(), pool.toBuilder().put(result, "dropped").build());
                    m.record(r.failed.sum(), pool.toBuilder().put(result, "failed").build());
                  }
                }));
    observers.add(
        meter
            .upDownCounterBuilder("optimizer.db.result_cache.size")
            .setUnit("By")
            .setDescription("Estimated bytes held by the result cache.")
            .buildWithCallback(m -> m.record(bytes(), pool)));
  }

  /** The cache's view of one connection lease; {@code connection} is the delegate's connection. */
  public LeaseCache lease(Connection connection) {
    return new LeaseCache(this, connection);
  }

  boolean serving() {
    return optimizer.mode().observes();
  }

  /** The statement analyses this cache reads (for tests). */
  StatementAnalyses analyses() {
    return analyses;
  }

  StatementTables analyze(StatementKey key) {
    return analyses.of(key);
  }

  boolean unkeepable(long fingerprint) {
    return unkeepable.getIfPresent(fingerprint) != null;
  }

  void markUnkeepable(long fingerprint) {
    unkeepable.put(fingerprint, Boolean.TRUE);
  }

  /** A write to one key of a table. */
  record KeyWrite(String table, long key) {}

  /**
   * Invalidates the results that read any of these tables, or these keys of their tables, or (with
   * {@code all}) every result — in Redis first (versions, then the message to the other instances),
   * then here: a read that sees the new local versions then also sees the new Redis versions.
   */
  void invalidate(Collection<String> tables, Collection<KeyWrite> keys, boolean all) {
    if (remote != null && (all || !tables.isEmpty() || !keys.isEmpty())) {
      remote.invalidate(tables, keys, all);
    }
    invalidateLocal(tables, keys, all);
    RefreshAhead r = refresher;
    if (r != null && !all && !keys.isEmpty()) {
      r.written(keys);
    }
  }

  /** Invalidates in this instance only (a write of this instance, or one another announced). */
  void invalidateLocal(Collection<String> tables, Collection<KeyWrite> keys, boolean all) {
    if (all) {
      versions.bumpAll();
      invalidations.increment();
      return;
    }
    for (String t : tables) {
      versions.bump(t);
    }
    for (KeyWrite k : keys) {
      versions.bumpKey(k.table(), k.key());
    }
    invalidations.add(tables.size() + keys.size());
  }

  /** The key pin of a prepared statement's text (once per text), or null. */
  KeyPins.Pin pin(String sql, java.util.function.Function<String, String> keyColumn) {
    return pins.get(sql, s -> java.util.Optional.ofNullable(KeyPins.find(s, keyColumn)))
        .orElse(null);
  }

  /** The key pin of a statement's text if it was looked up already, or null. */
  KeyPins.Pin knownPin(String sql) {
    java.util.Optional<KeyPins.Pin> p = pins.getIfPresent(sql);
    return p == null ? null : p.orElse(null);
  }

  /** A statement that may change the schema was run: forget what the catalog said. */
  void schemaMayHaveChanged() {
    catalog.clear();
    pins.invalidateAll();
    RefreshAhead r = refresher;
    if (r != null) {
      r.clear();
    }
  }

  String sessionDigest(ConnectionContext context) {
    return sessionDigests.getIfPresent(context);
  }

  void sessionDigest(ConnectionContext context, String digest) {
    if (digest != null) {
      sessionDigests.asMap().putIfAbsent(context, digest);
    }
  }

  ConnectionContext context(Object physical) {
    return contexts.get(physical);
  }

  void context(Object physical, ConnectionContext context) {
    contexts.put(physical, context);
  }

  /** Counters since the cache was built. */
  public ResultCacheStats stats() {
    long evictions =
        (results == null ? 0 : results.stats().evictions())
            + (trials == null ? 0 : trials.store.stats().evictions());
    return new ResultCacheStats(
        hits.sum(),
        misses.sum(),
        bypasses.sum(),
        stores.sum(),
        notStored.sum(),
        invalidations.sum(),
        evictions,
        bytes(),
        remoteHits.sum(),
        remote == null ? 0 : remote.errors.sum(),
        refresher == null ? 0 : refresher.stored.sum(),
        refresher == null ? 0 : refresher.dropped.sum(),
        refresher == null ? 0 : refresher.failed.sum());
  }

  /** Drops every cached result; tables keep their versions. */
  public void clear() {
    versions.bumpAll();
    if (results != null) {
      results.invalidateAll();
    }
    if (trials != null) {
      trials.store.invalidateAll();
    }
  }

  @Override
  public void close() {
    for (AutoCloseable o : observers) {
      try {
        o.close();
      } catch (Exception e) {
        // an OpenTelemetry callback handle: nothing else to release
      }
    }
    observers.clear();
    if (ownsAnalyses) {
      analyses.close();
    }
    DescribeAhead d = describer;
    if (d != null) {
      d.close();
    }
    RefreshAhead r = refresher;
    if (r != null) {
      r.close();
    }
    if (remote != null) {
      remote.close();
    }
    if (results != null) {
      results.invalidateAll();
      results.close();
    }
    if (trials != null) {
      trials.close();
    }
  }
}
