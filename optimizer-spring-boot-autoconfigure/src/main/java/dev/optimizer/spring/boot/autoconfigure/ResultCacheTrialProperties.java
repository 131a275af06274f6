package dev.optimizer.spring.boot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.util.unit.DataSize;

/**
 * {@code optimizer.db.result-cache-trials.*}: lets the optimizer turn the result cache on for the
 * queries it found cache-worthy, each as a judged trial ({@code
 * dev.optimizer.db.cache.ResultCacheTrialSettings}, same defaults and ranges). Trials run only in
 * {@code optimizer.mode=AUTO}; in RECOMMEND the candidates are only reported.
 */
public class ResultCacheTrialProperties {
  private static final String P = "optimizer.db.result-cache-trials.";

  /**
   * Whether the optimizer may cache queries it found cache-worthy, each as a judged trial kept only
   * when the query got faster and reached min-hit-rate. Trials run only with optimizer.mode=AUTO. A
   * cached result can be stale by up to ttl when something other than this application writes its
   * tables: exclude those tables. Default false.
   */
  private boolean enabled = false;

  /**
   * The hit rate a query must be expected to reach to be trialled, and must reach in its trial to
   * be kept. Default 0.5, range [0.01, 1].
   */
  private double minHitRate = 0.5;

  /** Reads of a query seen before it may be trialled. Default 1000, range [10, 1000000000]. */
  private long minReads = 1000;

  /** Trials running at once per data source. Default 2, range [1, 64]. */
  private int maxConcurrentTrials = 2;

  /** Queries ever trialled per data source. Default 64, range [1, 4096]. */
  private int maxTrials = 64;

  /** The bytes all trialled queries' results may hold together. Default 32MB, range [1KB, 1TB]. */
  private DataSize maxBytes = DataSize.ofMegabytes(32);

  /**
   * The largest result cached for a trialled query; larger ones are always read. Default 256KB (at
   * most max-bytes), range [64B, max-bytes].
   */
  private DataSize maxEntryBytes = DataSize.ofKilobytes(256);

  /** How long a result of a trialled query may be served at most. Default 60s, range [1ms, 1d]. */
  private Duration ttl = Duration.ofSeconds(60);

  /**
   * Tables (unqualified, case-insensitive) whose queries are never trialled: those whose readers
   * must see other writers at once. Default none.
   */
  private List<String> excludeTables = new ArrayList<>();

  /**
   * Regular expressions over the sanitized statement text (values as ?); a query containing a match
   * is never trialled. Default none.
   */
  private List<String> excludePatterns = new ArrayList<>();

  private boolean maxEntryBytesSet;

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public double getMinHitRate() {
    return minHitRate;
  }

  public void setMinHitRate(double v) {
    this.minHitRate = Bounds.check(P + "min-hit-rate", v, 0.01, 1.0);
  }

  public long getMinReads() {
    return minReads;
  }

  public void setMinReads(long v) {
    this.minReads = Bounds.check(P + "min-reads", v, 10L, 1_000_000_000L);
  }

  public int getMaxConcurrentTrials() {
    return maxConcurrentTrials;
  }

  public void setMaxConcurrentTrials(int v) {
    this.maxConcurrentTrials = Bounds.check(P + "max-concurrent-trials", v, 1, 64);
  }

  public int getMaxTrials() {
    return maxTrials;
  }

  public void setMaxTrials(int v) {
    this.maxTrials = Bounds.check(P + "max-trials", v, 1, 4096);
  }

  public DataSize getMaxBytes() {
    return maxBytes;
  }

  public void setMaxBytes(DataSize v) {
    this.maxBytes = Bounds.check(P + "max-bytes", v, 1024, 1L << 40);
  }

  public DataSize getMaxEntryBytes() {
    return maxEntryBytes;
  }

  public void setMaxEntryBytes(DataSize v) {
    this.maxEntryBytes = Bounds.check(P + "max-entry-bytes", v, 64, 1L << 40);
    this.maxEntryBytesSet = true;
  }

  public Duration getTtl() {
    return ttl;
  }

  public void setTtl(Duration v) {
    this.ttl = Bounds.check(P + "ttl", v, Duration.ofMillis(1), Duration.ofDays(1));
  }

  public List<String> getExcludeTables() {
    return excludeTables;
  }

  public void setExcludeTables(List<String> excludeTables) {
    this.excludeTables = Bounds.entries(P + "exclude-tables", excludeTables);
  }

  public List<String> getExcludePatterns() {
    return excludePatterns;
  }

  public void setExcludePatterns(List<String> patterns) {
    this.excludePatterns = Bounds.regexes(P + "exclude-patterns", patterns);
  }

  /** The entry bound in bytes: the default follows a smaller max-bytes, as the builder does. */
  long effectiveMaxEntryBytes() {
    return maxEntryBytesSet
        ? maxEntryBytes.toBytes()
        : Math.min(maxEntryBytes.toBytes(), maxBytes.toBytes());
  }

  /** Rules between properties, checked when the DbOptimizer is built. */
  void validate() {
    if (enabled && effectiveMaxEntryBytes() > maxBytes.toBytes()) {
      throw new IllegalArgumentException(
          P
              + "max-entry-bytes must be in [64B, "
              + P
              + "max-bytes ("
              + Bounds.format(maxBytes.toBytes())
              + ")], but was "
              + Bounds.format(maxEntryBytes.toBytes()));
    }
  }
}
