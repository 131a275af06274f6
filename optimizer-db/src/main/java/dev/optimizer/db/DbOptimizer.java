package dev.optimizer.db;

import dev.optimizer.api.internal.Checks;
import dev.optimizer.db.advisor.AdvisorSettings;
import dev.optimizer.db.advisor.IndexAdvisor;
import dev.optimizer.db.advisor.internal.Workload;
import dev.optimizer.db.advisor.internal.WorkloadSampler;
import dev.optimizer.db.batch.internal.BatchAdvisor;
import dev.optimizer.db.cache.CacheCandidate;
import dev.optimizer.db.cache.ResultCacheSettings;
import dev.optimizer.db.cache.ResultCacheStats;
import dev.optimizer.db.cache.ResultCacheTrialSettings;
import dev.optimizer.db.cache.internal.CacheCandidates;
import dev.optimizer.db.cache.internal.ResultCache;
import dev.optimizer.db.cache.internal.StatementAnalyses;
import dev.optimizer.db.internal.DbIdentity;
import dev.optimizer.db.internal.DbSystems;
import dev.optimizer.db.internal.DbTelemetry;
import dev.optimizer.db.internal.Fingerprints;
import dev.optimizer.db.internal.Instrumentation;
import dev.optimizer.db.internal.InstrumentedDataSource;
import dev.optimizer.db.internal.LeaseListener;
import dev.optimizer.db.internal.OperationSeries;
import dev.optimizer.db.internal.StatementTable;
import dev.optimizer.runtime.Optimizer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * optimizer for JDBC: wraps a {@link DataSource} (typically a HikariDataSource) so that every
 * statement is fingerprinted and measured — per-fingerprint statistics, slow statements with their
 * call site, N+1 loops, and the OpenTelemetry {@code db.client.*} metrics — while the application
 * sees exactly the delegate's JDBC behaviour.
 *
 * <pre>{@code
 * DbOptimizer db = DbOptimizer.create(optimizer);
 * DataSource ds = db.wrap(hikariDataSource);
 * ...
 * db.insight().topByTotalTime(10).forEach(System.out::println);
 * }</pre>
 *
 * <p>Statement text is kept only sanitized (literals and bind markers as {@code ?}); parameter
 * values are never recorded. In {@link dev.optimizer.api.Mode#OFF} the wrapper measures nothing.
 * Thread-safe.
 */
public final class DbOptimizer {
  private final Optimizer optimizer;
  private final Builder settings;
  private final StatementTable table;
  private final StatementInsight insight;
  // Shared by the wrappers: they record into one db.client.operation.duration instrument.
  private final OperationSeries operationSeries;
  private final List<Consumer<SlowStatement>> slowListeners = new CopyOnWriteArrayList<>();
  private final WorkloadSampler sampler;
  private final List<ResultCache> resultCaches = new CopyOnWriteArrayList<>();
  private final List<BatchAdvisor> batchAdvisors = new CopyOnWriteArrayList<>();
  private final List<CacheCandidates> cacheCandidates = new CopyOnWriteArrayList<>();

  private DbOptimizer(Builder b) {
    this.optimizer = b.optimizer;
    this.settings = b;
    this.table = new StatementTable(b.maxFingerprints);
    this.insight = new StatementInsight(table);
    this.operationSeries = new OperationSeries(b.operationCardinalityLimit);
    this.sampler =
        b.indexAdvisor
            ? new WorkloadSampler(b.samplesPerStatement, b.maxFingerprints, b.maxStatementLength)
            : null;
    if (sampler != null) {
      sampler.forgetWith(table); // insight().reset() forgets the statements the samples are of
    }
  }

  /** A DbOptimizer with the default settings. */
  public static DbOptimizer create(Optimizer optimizer) {
    return builder(optimizer).build();
  }

  /** Starts a DbOptimizer with settings of its own. */
  public static Builder builder(Optimizer optimizer) {
    return new Builder(Checks.notNull("optimizer", optimizer));
  }

  /**
   * Whether {@code dataSource} is already a wrapper made by some DbOptimizer, or a proxy over one
   * (Spring's {@code LazyConnectionDataSourceProxy}, say, answering {@code isWrapperFor} through
   * its target), so that a framework integration does not wrap it twice: its statements are already
   * recorded once, and its pool is already sized.
   */
  public static boolean isWrapped(DataSource dataSource) {
    if (dataSource instanceof InstrumentedDataSource) {
      return true;
    }
    try {
      return dataSource != null && dataSource.isWrapperFor(InstrumentedDataSource.class);
    } catch (java.sql.SQLException | RuntimeException e) {
      return false; // a proxy whose target cannot be reached yet: not known to be wrapped
    }
  }

  /**
   * Wraps a data source. The result behaves like the delegate; {@code unwrap} reaches it. Closing
   * the result (it is {@link AutoCloseable}) releases only what the wrapper owns, never the
   * delegate; so does closing the optimizer. A wrapper closed before the optimizer leaves nothing
   * behind in it or in this DbOptimizer: its pool-size knob, its write loops, cache candidates,
   * result cache and N+1 findings go with it (recommendations already made stay in the report).
   */
  public DataSource wrap(DataSource delegate) {
    Checks.notNull("delegate", delegate);
    DbSystems.Description db = DbSystems.describe(delegate);
    DbIdentity identity = DbIdentity.of(db); // corrected by the first connection unless from a URL
    Parts parts = new Parts();
    try {
      // Sizing first: it is what refuses a pool that is already being sized (its knob is
      // registered under the pool's name), and then nothing else has been started that would leak.
      parts.sizing =
          settings.poolSizing
              ? DbSystems.startPoolSizing(
                  optimizer,
                  delegate,
                  identity::system,
                  settings.minPoolSize,
                  settings.poolBudget,
                  settings.poolSignalSlice)
              : null;
      return wrap(delegate, db, identity, parts);
    } catch (RuntimeException | Error e) {
      // Nothing of a wrapper that was never returned may stay behind: the recorder thread, the
      // telemetry callbacks, the result cache, and the entries that would keep them reachable.
      try {
        parts.close();
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  private DataSource wrap(
      DataSource delegate, DbSystems.Description db, DbIdentity identity, Parts parts) {
    // First, while a lazily started pool can still take a driver setting.
    parts.batching = BatchAdvisor.of(optimizer, delegate, identity::system, settings.batchRewrite);
    batchAdvisors.add(parts.batching);
    DbTelemetry telemetry =
        new DbTelemetry(
            optimizer.meter(),
            identity::system,
            db.poolName(),
            settings.maxFingerprints,
            operationSeries);
    parts.telemetry = telemetry;
    DbSystems.observePool(delegate, telemetry, optimizer.meter());
    // A type that does not name its database (a Tomcat, DBCP2, c3p0 or Agroal pool, a Spring
    // DriverManagerDataSource) would leave GENERIC, whose lexing would leave MySQL's ".." strings
    // and PostgreSQL's $$..$$ in the text: such a wrapper learns the dialect (and the system its
    // telemetry names) from its first connection.
    java.util.function.Function<String, dev.optimizer.db.internal.StatementKey> fingerprints =
        Fingerprints.following(identity, settings.maxStatementLength);
    Instrumentation inst =
        new Instrumentation(
            optimizer,
            identity,
            fingerprints,
            table,
            telemetry,
            settings.slowThreshold,
            settings.nPlusOneThreshold,
            slowListeners);
    parts.inst = inst;
    parts.nPlusOnes = inst::nPlusOnes;
    insight.addNPlusOneSource(parts.nPlusOnes);
    if (sampler != null) {
      inst.sampler(sampler);
    }
    inst.batching(parts.batching);
    // One analysis per new statement for both the candidates and the cache: the cache makes it on
    // the request path (it must know what a statement writes before it runs), the candidates have
    // it made on the analyses' background thread.
    StatementAnalyses analyses = new StatementAnalyses();
    parts.analyses = analyses;
    parts.candidates = new CacheCandidates(optimizer, analyses);
    cacheCandidates.add(parts.candidates);
    inst.cacheCandidates(parts.candidates);
    if (parts.sizing != null) {
      inst.leaseListener(parts.sizing);
    }
    if (settings.resultCache != null || settings.resultCacheTrials != null) {
      ResultCache cache =
          new ResultCache(
              optimizer, settings.resultCache, settings.resultCacheTrials, db.poolName(), analyses);
      parts.cache = cache;
      resultCaches.add(cache);
      parts.candidates.trials(cache.trials());
      cache.refreshFrom(delegate, DbSystems.idleConnection(delegate));
      // Last: the thread it starts is stopped by the cache's close(), which a failing wrap runs.
      cache.describeAheadFrom(delegate);
      inst.resultCache(cache);
    }
    InstrumentedDataSource wrapped = new InstrumentedDataSource(delegate, inst, parts);
    parts.registration = optimizer.onClose(wrapped);
    return wrapped;
  }

  /**
   * What exists only for one wrapper: what it owns, its entries in this DbOptimizer's lists, and
   * its registration with the optimizer. {@link #close()} removes and closes all of them; the
   * wrapper calls it once, when the application or the optimizer closes it, and so does a wrap that
   * fails (parts not made yet are null). Everything but the registration is set before the wrapper
   * is made, whose final field publishes it.
   */
  private final class Parts implements AutoCloseable {
    LeaseListener sizing;
    BatchAdvisor batching;
    DbTelemetry telemetry;
    Instrumentation inst;
    Supplier<List<NPlusOne>> nPlusOnes;
    CacheCandidates candidates;
    StatementAnalyses analyses;
    ResultCache cache;
    volatile Optimizer.Registration registration;

    @Override
    public void close() throws Exception {
      // Out of the lists first, so that nothing reads a part that is closing or closed.
      Optimizer.Registration r = registration;
      if (r != null) {
        r.release();
      }
      if (batching != null) {
        batchAdvisors.remove(batching);
      }
      if (nPlusOnes != null) {
        insight.removeNPlusOneSource(nPlusOnes);
      }
      if (candidates != null) {
        cacheCandidates.remove(candidates);
      }
      if (cache != null) {
        resultCaches.remove(cache);
      }
      owned(sizing, cache, analyses, inst, telemetry).close();
    }
  }

  /** How many entries of wrappers this DbOptimizer and its insight hold, by kind; for tests. */
  java.util.Map<String, Integer> heldForWrappers() {
    return java.util.Map.of(
        "batchAdvisors", batchAdvisors.size(),
        "nPlusOneSources", insight.nPlusOneSources(),
        "cacheCandidates", cacheCandidates.size(),
        "resultCaches", resultCaches.size());
  }

  /**
   * What closing a wrapper releases, in order: the pool sizing (its knob leaves the optimizer), the
   * result cache (with its trials and Redis tier), the statement analyses' background thread, the
   * background recorder (what it holds is applied), the telemetry. Each is closed even if one
   * before it fails; the first failure is thrown with the others suppressed.
   */
  private static AutoCloseable owned(AutoCloseable... parts) {
    return () -> {
      Exception first = null;
      for (AutoCloseable part : parts) {
        if (part == null) {
          continue;
        }
        try {
          part.close();
        } catch (Exception e) {
          if (first == null) {
            first = e;
          } else {
            first.addSuppressed(e);
          }
        }
      }
      if (first != null) {
        throw first;
      }
    };
  }

  /** What the wrapped data sources have executed. */
  public StatementInsight insight() {
    return insight;
  }

  /**
   * An index advisor over what the data sources wrapped by this DbOptimizer executed.
   *
   * @param dataSource where to analyze (and apply): a data source this DbOptimizer wrapped, or the
   *     raw one; the advisor's own statements are never counted as workload
   * @throws IllegalStateException unless the builder's {@code indexAdvisor(true)} was set
   */
  public IndexAdvisor indexAdvisor(DataSource dataSource, AdvisorSettings advisorSettings) {
    Checks.notNull("dataSource", dataSource);
    Checks.notNull("advisorSettings", advisorSettings);
    if (sampler == null) {
      throw new IllegalStateException(
          "the index advisor needs sampled executions: set"
              + " DbOptimizer.builder(optimizer).indexAdvisor(true)");
    }
    DataSource raw =
        dataSource instanceof InstrumentedDataSource wrapped ? wrapped.delegate() : dataSource;
    // The system and dialect as the wrapper learns them: pg_stat_statements' texts must get the ids
    // the wrapper's statements got. Settled on the advisor's own connection when it analyzes.
    DbIdentity identity = DbIdentity.of(DbSystems.describe(raw));
    Workload workload =
        new Workload(
            table,
            sampler,
            identity,
            Fingerprints.following(identity, settings.maxStatementLength));
    return new IndexAdvisor(optimizer, raw, advisorSettings, workload, sampler);
  }

  /**
   * The result cache's counters, summed over the wrapped data sources; all zero when no {@link
   * Builder#resultCache result cache} was configured.
   */
  public ResultCacheStats resultCacheStats() {
    ResultCacheStats sum = new ResultCacheStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    for (ResultCache c : resultCaches) {
      sum = sum.plus(c.stats());
    }
    return sum;
  }

  /**
   * Queries worth a result cache, as the traffic seen in RECOMMEND and AUTO modes suggests: reads,
   * repetition of their parameters and writes to their tables, with the expected hit rate; the most
   * worthwhile first. Those read 1000+ times with an expected hit rate of at least 0.5 are also
   * recommended ({@code result-cache}). With {@link Builder#resultCacheTrials} set, AUTO mode also
   * turns the cache on for them, one judged trial each.
   */
  public List<CacheCandidate> cacheCandidates() {
    List<CacheCandidate> all = new java.util.ArrayList<>();
    for (CacheCandidates c : cacheCandidates) {
      all.addAll(c.candidates());
    }
    all.sort(
        java.util.Comparator.comparingDouble(
            (CacheCandidate c) -> -c.expectedHitRate() * c.reads()));
    return List.copyOf(all);
  }

  /**
   * Write loops seen so far (one INSERT/UPDATE/DELETE executed row by row, {@value
   * BatchAdvisor#THRESHOLD}+ times in one connection lease), oldest first, with their call site and
   * the driver setting that would rewrite them as a batch.
   */
  public List<WriteLoop> writeLoops() {
    List<WriteLoop> all = new java.util.ArrayList<>();
    for (BatchAdvisor a : batchAdvisors) {
      all.addAll(a.loops());
    }
    return List.copyOf(all);
  }

  /** Adds a listener told of each slow statement; its exceptions are logged, not propagated. */
  public void addSlowStatementListener(Consumer<SlowStatement> listener) {
    slowListeners.add(Checks.notNull("listener", listener));
  }

  /**
   * Builds a {@link DbOptimizer}; each setting is checked when given.
   *
   * <table>
   *   <caption>Settings</caption>
   *   <tr><th>setting</th><th>default</th><th>range</th></tr>
   *   <tr><td>slowStatementThreshold</td><td>500 ms</td><td>[1 ms, 1 h]</td></tr>
   *   <tr><td>nPlusOneThreshold</td><td>10</td><td>[2, 100000]</td></tr>
   *   <tr><td>maxFingerprints</td><td>5000</td><td>[10, 1000000]</td></tr>
   *   <tr><td>maxStatementLength</td><td>65536</td><td>[1024, 16777216]</td></tr>
   *   <tr><td>operationCardinalityLimit</td><td>1000</td><td>[10, 100000]</td></tr>
   *   <tr><td>poolSizing</td><td>true</td><td>HikariCP pools only</td></tr>
   *   <tr><td>minPoolSize</td><td>2</td><td>[1, 10000], at most poolBudget</td></tr>
   *   <tr><td>poolBudget</td><td>100</td><td>[1, 10000]</td></tr>
   *   <tr><td>poolSignalSlice</td><td>1 s</td><td>[10 ms, 1 min]</td></tr>
   *   <tr><td>indexAdvisor</td><td>false</td><td>sample executions for the index advisor</td></tr>
   *   <tr><td>samplesPerStatement</td><td>5</td><td>[1, 100]</td></tr>
   *   <tr><td>resultCache</td><td>off</td><td>{@link ResultCacheSettings}</td></tr>
   *   <tr><td>resultCacheTrials</td><td>off</td><td>{@link ResultCacheTrialSettings}, AUTO mode
   *   only</td></tr>
   *   <tr><td>batchRewrite</td><td>false</td><td>pgjdbc HikariCP pools not yet started</td></tr>
   * </table>
   */
  public static final class Builder {
    private final Optimizer optimizer;
    private Duration slowThreshold = Duration.ofMillis(500);
    private int nPlusOneThreshold = 10;
    private int maxFingerprints = 5000;
    private int maxStatementLength = 65536;
    private int operationCardinalityLimit = OperationSeries.DEFAULT_LIMIT;
    private boolean poolSizing = true;
    private int minPoolSize = 2;
    private int poolBudget = 100;
    private Duration poolSignalSlice = Duration.ofSeconds(1);
    private boolean indexAdvisor;
    private int samplesPerStatement = 5;
    private ResultCacheSettings resultCache;
    private ResultCacheTrialSettings resultCacheTrials;
    private boolean batchRewrite;

    private Builder(Optimizer optimizer) {
      this.optimizer = optimizer;
    }

    /** Statements at least this slow are reported with their call site. */
    public Builder slowStatementThreshold(Duration threshold) {
      this.slowThreshold =
          Checks.inRange(
              "slowStatementThreshold", threshold, Duration.ofMillis(1), Duration.ofHours(1));
      return this;
    }

    /**
     * Executions of one fingerprint with distinct parameters within one connection lease from which
     * an N+1 loop is reported.
     */
    public Builder nPlusOneThreshold(int threshold) {
      this.nPlusOneThreshold = Checks.inRange("nPlusOneThreshold", threshold, 2, 100_000);
      return this;
    }

    /**
     * Fingerprints tracked individually; later ones are counted together as "other". Each keeps at
     * most 4,096 characters of its text ({@link StatementStats#text()}).
     */
    public Builder maxFingerprints(int max) {
      this.maxFingerprints = Checks.inRange("maxFingerprints", max, 10, 1_000_000);
      return this;
    }

    /** Longest statement fingerprinted in full; longer ones by a prefix, their length and hash. */
    public Builder maxStatementLength(int max) {
      this.maxStatementLength = Checks.inRange("maxStatementLength", max, 1024, 16 * 1024 * 1024);
      return this;
    }

    /**
     * The most distinct attribute sets ({@code db.query.summary}, {@code db.operation.name}, {@code
     * db.collection.name}, {@code error.type}) the {@code db.client.operation.duration} histogram
     * gets from this DbOptimizer's data sources; 1000 by default. Statements beyond it are recorded
     * with {@code db.query.summary=other} (as those beyond {@link #maxFingerprints} are), and their
     * failures with their {@code error.type} while there is room, else {@code _OTHER}: at most two
     * more sets per {@code db.system.name}. Their statistics in {@link #insight()} stay per
     * fingerprint.
     *
     * <p>The OpenTelemetry SDK keeps at most 2,000 attribute sets per instrument unless a View sets
     * another {@code cardinalityLimit}, and records the rest as one {@code
     * otel.metric.overflow=true} series without any of these attributes. Keep this limit below the
     * SDK's (raise both together); DbOptimizers that share an {@link Optimizer} share the
     * instrument, so their limits add up.
     */
    public Builder operationCardinalityLimit(int limit) {
      this.operationCardinalityLimit =
          Checks.inRange("operationCardinalityLimit", limit, 10, 100_000);
      return this;
    }

    /**
     * Whether a HikariCP pool's maximum size is tuned (in {@link dev.optimizer.api.Mode#AUTO}, as
     * judged trials). On by default.
     */
    public Builder poolSizing(boolean enabled) {
      this.poolSizing = enabled;
      return this;
    }

    /** The smallest pool the sizer may choose. */
    public Builder minPoolSize(int min) {
      this.minPoolSize = Checks.inRange("minPoolSize", min, 1, 10_000);
      return this;
    }

    /**
     * The most connections the sizer may give the pool — this instance's share of the database's
     * connections. The server's own limit (less reserved slots and other clients) applies too. A
     * pool whose {@code maximumPoolSize} is larger is shrunk to the budget when it is wrapped (and
     * that is logged at INFO), so that the budget holds from the start.
     */
    public Builder poolBudget(int budget) {
      this.poolBudget = Checks.inRange("poolBudget", budget, 1, 10_000);
      return this;
    }

    /** The throughput slice of the pool's signal (shorter slices allow shorter windows). */
    public Builder poolSignalSlice(Duration slice) {
      this.poolSignalSlice =
          Checks.inRange("poolSignalSlice", slice, Duration.ofMillis(10), Duration.ofMinutes(1));
      return this;
    }

    /**
     * Keeps, per fingerprint, a few real executions (text and bound values, in memory only, never
     * exported) so that {@link DbOptimizer#indexAdvisor} can EXPLAIN them. Off by default.
     */
    public Builder indexAdvisor(boolean enabled) {
      this.indexAdvisor = enabled;
      return this;
    }

    /** Executions kept per fingerprint for the index advisor (a uniform reservoir sample). */
    public Builder samplesPerStatement(int samples) {
      this.samplesPerStatement = Checks.inRange("samplesPerStatement", samples, 1, 100);
      return this;
    }

    /**
     * Turns the query result cache on, for the queries its rules select (off by default). See
     * {@link ResultCacheSettings} for what is cached and when results are dropped.
     */
    public Builder resultCache(ResultCacheSettings settings) {
      Checks.notSetBefore("resultCache", this.resultCache != null);
      this.resultCache = Checks.notNull("resultCache", settings);
      return this;
    }

    /**
     * Lets the optimizer, in {@link dev.optimizer.api.Mode#AUTO} only, turn the result cache on for
     * the {@linkplain DbOptimizer#cacheCandidates() cache-worthy queries} it finds, each as a
     * judged trial that is rolled back when the query does not get faster or its hit rate falls
     * short (off by default). Rules given with {@link #resultCache} still win: queries they select
     * are cached by them, never trialled. See {@link ResultCacheTrialSettings}.
     */
    public Builder resultCacheTrials(ResultCacheTrialSettings settings) {
      Checks.notSetBefore("resultCacheTrials", this.resultCacheTrials != null);
      this.resultCacheTrials = Checks.notNull("resultCacheTrials", settings);
      return this;
    }

    /**
     * Turns on the driver's rewrite of INSERT batches into multi-row statements (pgjdbc's {@code
     * reWriteBatchedInserts}) for HikariCP pools wrapped before they start whose driver (or {@code
     * dataSourceClassName}) is pgjdbc's, as the driver itself says ({@code
     * Driver#getPropertyInfo}); off by default. Only the application can allow it: pgjdbc then
     * answers {@code executeBatch} of a rewritten INSERT batch with {@link
     * java.sql.Statement#SUCCESS_NO_INFO} (-2) instead of a count per row. Separate {@code
     * executeUpdate} calls are never batched; write loops are {@linkplain #writeLoops() reported}
     * with their call site.
     */
    public Builder batchRewrite(boolean enabled) {
      this.batchRewrite = enabled;
      return this;
    }

    /**
     * Builds the DbOptimizer.
     *
     * @throws IllegalArgumentException if minPoolSize exceeds poolBudget
     */
    public DbOptimizer build() {
      if (minPoolSize > poolBudget) {
        throw new IllegalArgumentException(
            "minPoolSize must be <= poolBudget (" + poolBudget + "), but was " + minPoolSize);
      }
      return new DbOptimizer(this);
    }
  }
}
