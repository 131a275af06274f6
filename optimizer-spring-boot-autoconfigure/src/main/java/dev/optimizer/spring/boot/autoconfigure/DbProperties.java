package dev.optimizer.spring.boot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.util.unit.DataSize;

/**
 * {@code optimizer.db.*}: how DataSource beans are wrapped ({@code DbOptimizer.Builder} and {@code
 * ResultCacheSettings}, same defaults and ranges). {@code enabled} and {@code excluded-beans} are
 * those of {@link BeanWrappingProperties}.
 */
public class DbProperties extends BeanWrappingProperties {
  private static final String P = "optimizer.db.";

  /**
   * Statements at least this slow are reported with their call site. Default 500ms, range [1ms,
   * 1h].
   */
  private Duration slowStatementThreshold = Duration.ofMillis(500);

  /**
   * Executions of one statement with distinct parameters within one connection lease from which an
   * N+1 loop is reported. Default 10, range [2, 100000].
   */
  private int nPlusOneThreshold = 10;

  /**
   * Statement fingerprints tracked individually; later ones are counted together. Default 5000,
   * range [10, 1000000].
   */
  private int maxFingerprints = 5000;

  /**
   * The longest statement, in characters, fingerprinted in full; a longer one is fingerprinted by
   * its prefix of this length (its text then ends with " …", and statements that differ only past
   * it count as one). Default 65536, range [1024, 16777216].
   */
  private int maxStatementLength = 65536;

  /**
   * The most distinct attribute sets (summary, operation, table, error type) the
   * db.client.operation.duration histogram gets; later statements are recorded with
   * db.query.summary=other. Keep it below the OpenTelemetry SDK's cardinality limit (2000 per
   * instrument by default). Default 1000, range [10, 100000].
   */
  private int operationCardinalityLimit = 1000;

  /**
   * Whether a HikariCP pool's maximum size is tuned (judged trials, in mode AUTO). Default true.
   */
  private boolean poolSizing = true;

  /**
   * The most connections the pool sizer may give a pool: this instance's share of the database's
   * connections. Default 100, range [1, 10000].
   */
  private int poolBudget = 100;

  /** The smallest pool the sizer may choose. Default 2, range [1, 10000], at most pool-budget. */
  private int minPoolSize = 2;

  /**
   * Whether pgjdbc's rewrite of INSERT batches into multi-row statements is turned on for
   * PostgreSQL HikariCP pools (executeBatch then answers SUCCESS_NO_INFO per row). Default false.
   */
  private boolean batchRewrite = false;

  /** The query result cache (off by default). */
  private final ResultCache resultCache = new ResultCache();

  /**
   * Result cache trials: queries the optimizer itself caches, judged (off by default; AUTO mode).
   */
  @NestedConfigurationProperty
  private final ResultCacheTrialProperties resultCacheTrials = new ResultCacheTrialProperties();

  public Duration getSlowStatementThreshold() {
    return slowStatementThreshold;
  }

  public void setSlowStatementThreshold(Duration v) {
    this.slowStatementThreshold =
        Bounds.check(P + "slow-statement-threshold", v, Duration.ofMillis(1), Duration.ofHours(1));
  }

  public int getNPlusOneThreshold() {
    return nPlusOneThreshold;
  }

  public void setNPlusOneThreshold(int v) {
    this.nPlusOneThreshold = Bounds.check(P + "n-plus-one-threshold", v, 2, 100_000);
  }

  public int getMaxFingerprints() {
    return maxFingerprints;
  }

  public void setMaxFingerprints(int v) {
    this.maxFingerprints = Bounds.check(P + "max-fingerprints", v, 10, 1_000_000);
  }

  public int getMaxStatementLength() {
    return maxStatementLength;
  }

  public void setMaxStatementLength(int v) {
    this.maxStatementLength = Bounds.check(P + "max-statement-length", v, 1024, 16 * 1024 * 1024);
  }

  public int getOperationCardinalityLimit() {
    return operationCardinalityLimit;
  }

  public void setOperationCardinalityLimit(int v) {
    this.operationCardinalityLimit =
        Bounds.check(P + "operation-cardinality-limit", v, 10, 100_000);
  }

  public boolean isPoolSizing() {
    return poolSizing;
  }

  public void setPoolSizing(boolean poolSizing) {
    this.poolSizing = poolSizing;
  }

  public int getPoolBudget() {
    return poolBudget;
  }

  public void setPoolBudget(int v) {
    this.poolBudget = Bounds.check(P + "pool-budget", v, 1, 10_000);
  }

  public int getMinPoolSize() {
    return minPoolSize;
  }

  public void setMinPoolSize(int v) {
    this.minPoolSize = Bounds.check(P + "min-pool-size", v, 1, 10_000);
  }

  public boolean isBatchRewrite() {
    return batchRewrite;
  }

  public void setBatchRewrite(boolean batchRewrite) {
    this.batchRewrite = batchRewrite;
  }

  public ResultCache getResultCache() {
    return resultCache;
  }

  public ResultCacheTrialProperties getResultCacheTrials() {
    return resultCacheTrials;
  }

  /** Rules between properties, checked when the DbOptimizer is built. */
  void validate() {
    if (minPoolSize > poolBudget) {
      throw new IllegalArgumentException(
          P
              + "min-pool-size must be at most "
              + P
              + "pool-budget ("
              + poolBudget
              + "), but was "
              + minPoolSize);
    }
    resultCache.validate();
    resultCacheTrials.validate();
  }

  /** {@code optimizer.db.result-cache.*} ({@code ResultCacheSettings}). */
  public static class ResultCache {
    private static final String RC = P + "result-cache.";

    /**
     * Whether the query result cache is on; it then needs a rule: tables, patterns or all-reads.
     * Default false.
     */
    private boolean enabled = false;

    /**
     * Tables (unqualified, case-insensitive) whose queries are cached when they read no other
     * table. Default none.
     */
    private List<String> tables = new ArrayList<>();

    /**
     * Regular expressions over the sanitized statement text (values as ?); a query containing a
     * match is cached. Default none.
     */
    private List<String> patterns = new ArrayList<>();

    /** Whether every deterministic query over base tables is cached. Default false. */
    private boolean allReads = false;

    /** The bound of the in-process cache. Default 64MB, range [1KB, 1TB]. */
    private DataSize maxBytes = DataSize.ofMegabytes(64);

    /**
     * The largest result cached; larger ones are read from the database every time. Default 1MB (at
     * most max-bytes), range [64B, max-bytes].
     */
    private DataSize maxEntryBytes = DataSize.ofMegabytes(1);

    /**
     * How long a result may be served at most, bounding staleness from writers the cache cannot
     * see. Default 60s, range [1ms, 1d].
     */
    private Duration ttl = Duration.ofSeconds(60);

    /** The Redis tier shared by the fleet (off while its uri is unset). */
    @NestedConfigurationProperty
    private final ResultCacheRemoteProperties remote = new ResultCacheRemoteProperties();

    private boolean maxEntryBytesSet;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public List<String> getTables() {
      return tables;
    }

    public void setTables(List<String> tables) {
      this.tables = Bounds.entries(RC + "tables", tables);
    }

    public List<String> getPatterns() {
      return patterns;
    }

    public void setPatterns(List<String> patterns) {
      this.patterns = Bounds.regexes(RC + "patterns", patterns);
    }

    public ResultCacheRemoteProperties getRemote() {
      return remote;
    }

    public boolean isAllReads() {
      return allReads;
    }

    public void setAllReads(boolean allReads) {
      this.allReads = allReads;
    }

    public DataSize getMaxBytes() {
      return maxBytes;
    }

    public void setMaxBytes(DataSize v) {
      this.maxBytes = Bounds.check(RC + "max-bytes", v, 1024, 1L << 40);
    }

    public DataSize getMaxEntryBytes() {
      return maxEntryBytes;
    }

    public void setMaxEntryBytes(DataSize v) {
      this.maxEntryBytes = Bounds.check(RC + "max-entry-bytes", v, 64, 1L << 40);
      this.maxEntryBytesSet = true;
    }

    public Duration getTtl() {
      return ttl;
    }

    public void setTtl(Duration v) {
      this.ttl = Bounds.check(RC + "ttl", v, Duration.ofMillis(1), Duration.ofDays(1));
    }

    /** The entry bound in bytes: the default follows a smaller max-bytes, as the builder does. */
    long effectiveMaxEntryBytes() {
      return maxEntryBytesSet
          ? maxEntryBytes.toBytes()
          : Math.min(maxEntryBytes.toBytes(), maxBytes.toBytes());
    }

    void validate() {
      remote.validate(enabled);
      if (!enabled) {
        return;
      }
      if (tables.isEmpty() && patterns.isEmpty() && !allReads) {
        throw new IllegalArgumentException(
            RC
                + "enabled=true needs a rule: "
                + RC
                + "tables, "
                + RC
                + "patterns or "
                + RC
                + "all-reads=true");
      }
      if (effectiveMaxEntryBytes() > maxBytes.toBytes()) {
        throw new IllegalArgumentException(
            RC
                + "max-entry-bytes must be in [64B, "
                + RC
                + "max-bytes ("
                + Bounds.format(maxBytes.toBytes())
                + ")], but was "
                + Bounds.format(maxEntryBytes.toBytes()));
      }
    }
  }
}
