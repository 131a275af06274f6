package dev.optimizer.db.cache;

import dev.optimizer.api.internal.Checks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Lets the optimizer, in {@link dev.optimizer.api.Mode#AUTO} only, turn the result cache on for
 * queries it found cache-worthy ({@link CacheCandidate}), each as a judged trial: the query's
 * latency with the cache off is the baseline, with the cache on the trial, and the runtime's judge
 * decides. A trial is kept when the query got faster and its observed hit rate reached {@code
 * minHitRate}; otherwise it is rolled back: its cached results are dropped and the query is read
 * from the database again. Each trial is a knob {@code db.result_cache.<pool>.<fingerprint>} (0
 * off, 1 on) with its decision in the report, like every other knob; pinning it overrides the
 * optimizer.
 *
 * <pre>{@code
 * DbOptimizer db = DbOptimizer.builder(optimizer)
 *     .resultCacheTrials(ResultCacheTrialSettings.builder()
 *         .excludeTables("account_balances")
 *         .maximumBytes(32L << 20)
 *         .build())
 *     .build();
 * }</pre>
 *
 * <p>Opt-in, because a cached result can be stale by up to {@code timeToLive} when something other
 * than the application's own wrapped DataSource writes the table (another service, a cron job):
 * only the application knows whether that is acceptable, and which tables it is not acceptable for
 * ({@code excludeTables}, {@code excludeStatementsMatching}). The application's own writes
 * invalidate as they do for the rule-based cache ({@link ResultCacheSettings}). Only queries that
 * the rule-based cache could cache are ever trialled (deterministic, no {@code FOR UPDATE}, base
 * tables only); queries already selected by a {@link ResultCacheSettings} rule are cached by the
 * rule and never trialled. In RECOMMEND mode candidates are only reported.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th></tr>
 *   <tr><td>minHitRate</td><td>0.5</td><td>[0.01, 1]: expected to start a trial, observed to
 *   keep it</td></tr>
 *   <tr><td>minReads</td><td>1000</td><td>[10, 10⁹] reads seen before a query is trialled</td></tr>
 *   <tr><td>maxConcurrentTrials</td><td>2</td><td>[1, 64] per data source</td></tr>
 *   <tr><td>maxTrials</td><td>64</td><td>[1, 4096] queries ever trialled per data source</td></tr>
 *   <tr><td>maximumBytes</td><td>32 MiB</td><td>[1 KiB, 1 TiB], shared by all trialled
 *   queries</td></tr>
 *   <tr><td>maximumEntryBytes</td><td>256 KiB</td><td>[64 B, maximumBytes]</td></tr>
 *   <tr><td>timeToLive</td><td>60 s</td><td>[1 ms, 1 day]</td></tr>
 *   <tr><td>excludeTables / excludeStatementsMatching</td><td>none</td><td>never
 *   trialled</td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe.
 */
public final class ResultCacheTrialSettings {
  private final double minHitRate;
  private final long minReads;
  private final int maxConcurrentTrials;
  private final int maxTrials;
  private final long maximumBytes;
  private final long maximumEntryBytes;
  private final Duration timeToLive;
  private final Set<String> excludedTables;
  private final List<Pattern> excludedPatterns;

  private ResultCacheTrialSettings(Builder b) {
    this.minHitRate = b.minHitRate;
    this.minReads = b.minReads;
    this.maxConcurrentTrials = b.maxConcurrentTrials;
    this.maxTrials = b.maxTrials;
    this.maximumBytes = b.maximumBytes;
    this.maximumEntryBytes = b.maximumEntryBytes;
    this.timeToLive = b.timeToLive;
    this.excludedTables = Set.copyOf(b.excludedTables);
    this.excludedPatterns = List.copyOf(b.excludedPatterns);
  }

  /** Starts the settings, all at their defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The settings at their defaults. */
  public static ResultCacheTrialSettings defaults() {
    return builder().build();
  }

  /**
   * The hit rate a query must be expected to reach to be trialled, and must reach in the trial's
   * window to be kept.
   */
  public double minHitRate() {
    return minHitRate;
  }

  /** Reads of a query seen before it may be trialled (so that its estimate means something). */
  public long minReads() {
    return minReads;
  }

  /** Trials running at once per data source (each holds a slot until its decision). */
  public int maxConcurrentTrials() {
    return maxConcurrentTrials;
  }

  /** Queries trialled at most per data source over its life; each leaves a knob in the report. */
  public int maxTrials() {
    return maxTrials;
  }

  /** The bytes all trialled queries' results may hold together (estimated). */
  public long maximumBytes() {
    return maximumBytes;
  }

  /** The largest result cached for a trialled query; larger ones are always read. */
  public long maximumEntryBytes() {
    return maximumEntryBytes;
  }

  /** How long a result of a trialled query may be served at most. */
  public Duration timeToLive() {
    return timeToLive;
  }

  /** Tables (lower-case, unqualified) whose queries are never trialled. */
  public Set<String> excludedTables() {
    return excludedTables;
  }

  /** Patterns over the sanitized text whose matching queries are never trialled. */
  public List<Pattern> excludedPatterns() {
    return excludedPatterns;
  }

  /**
   * Whether a query with this sanitized text reading these tables (lower-case, unqualified) is
   * excluded from trials by the application's rules.
   */
  public boolean excludes(String sanitizedText, Set<String> readTables) {
    for (String t : readTables) {
      if (excludedTables.contains(t)) {
        return true;
      }
    }
    for (Pattern p : excludedPatterns) {
      if (p.matcher(sanitizedText).find()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "ResultCacheTrialSettings{minHitRate="
        + minHitRate
        + ", minReads="
        + minReads
        + ", maxConcurrentTrials="
        + maxConcurrentTrials
        + ", maxTrials="
        + maxTrials
        + ", maximumBytes="
        + maximumBytes
        + ", maximumEntryBytes="
        + maximumEntryBytes
        + ", timeToLive="
        + timeToLive
        + ", excludedTables="
        + new TreeSet<>(excludedTables)
        + ", excludedPatterns="
        + excludedPatterns
        + "}";
  }

  /** Builds {@link ResultCacheTrialSettings}; each setting is checked when given. */
  public static final class Builder {
    private double minHitRate = 0.5;
    private long minReads = 1000;
    private int maxConcurrentTrials = 2;
    private int maxTrials = 64;
    private long maximumBytes = 32L << 20;
    private long maximumEntryBytes = 256L << 10;
    private boolean entryBytesSet;
    private Duration timeToLive = Duration.ofSeconds(60);
    private final Set<String> excludedTables = new TreeSet<>();
    private final List<Pattern> excludedPatterns = new ArrayList<>();

    private Builder() {}

    /**
     * The hit rate a query must be expected to reach to be trialled and must reach in its trial to
     * be kept, in [0.01, 1]; default 0.5.
     */
    public Builder minHitRate(double rate) {
      this.minHitRate = Checks.inRange("minHitRate", rate, 0.01, 1.0);
      return this;
    }

    /** Reads of a query seen before it may be trialled, in [10, 10⁹]; default 1000. */
    public Builder minReads(long reads) {
      this.minReads = Checks.inRange("minReads", reads, 10, 1_000_000_000L);
      return this;
    }

    /** Trials running at once per data source, in [1, 64]; default 2. */
    public Builder maxConcurrentTrials(int trials) {
      this.maxConcurrentTrials = Checks.inRange("maxConcurrentTrials", trials, 1, 64);
      return this;
    }

    /** Queries trialled at most per data source, in [1, 4096]; default 64. */
    public Builder maxTrials(int trials) {
      this.maxTrials = Checks.inRange("maxTrials", trials, 1, 4096);
      return this;
    }

    /** The bytes all trialled queries may hold together, in [1 KiB, 1 TiB]; default 32 MiB. */
    public Builder maximumBytes(long bytes) {
      this.maximumBytes = Checks.inRange("maximumBytes", bytes, 1024, 1L << 40);
      return this;
    }

    /** The largest result cached, in bytes, in [64, maximumBytes]; default 256 KiB. */
    public Builder maximumEntryBytes(long bytes) {
      this.maximumEntryBytes = Checks.inRange("maximumEntryBytes", bytes, 64, 1L << 40);
      this.entryBytesSet = true;
      return this;
    }

    /** How long a result may be served, in [1 ms, 1 day]; default 60 s. */
    public Builder timeToLive(Duration ttl) {
      this.timeToLive = Checks.inRange("timeToLive", ttl, Duration.ofMillis(1), Duration.ofDays(1));
      return this;
    }

    /**
     * Never trials queries that read any of these tables (names unqualified, compared
     * case-insensitively): the tables whose readers must always see other writers at once.
     */
    public Builder excludeTables(String... names) {
      Checks.notNull("excludeTables", names);
      for (String n : names) {
        excludedTables.add(SettingValues.tableName("excludeTables", n));
      }
      return this;
    }

    /**
     * Never trials queries whose sanitized text (literals and bind markers as {@code ?}, keywords
     * upper-case) contains a match of this regular expression.
     */
    public Builder excludeStatementsMatching(String regex) {
      excludedPatterns.add(SettingValues.pattern("excludeStatementsMatching", regex));
      return this;
    }

    /**
     * Builds the settings.
     *
     * @throws IllegalArgumentException if maximumEntryBytes exceeds maximumBytes
     */
    public ResultCacheTrialSettings build() {
      if (!entryBytesSet) {
        maximumEntryBytes = Math.min(maximumEntryBytes, maximumBytes);
      }
      if (maximumEntryBytes > maximumBytes) {
        throw new IllegalArgumentException(
            "maximumEntryBytes must be <= maximumBytes ("
                + maximumBytes
                + "), but was "
                + maximumEntryBytes);
      }
      return new ResultCacheTrialSettings(this);
    }
  }
}
