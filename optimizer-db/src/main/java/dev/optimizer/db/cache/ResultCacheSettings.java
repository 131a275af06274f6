package dev.optimizer.db.cache;

import dev.optimizer.api.internal.Checks;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which queries the JDBC result cache may answer, and how much it may hold. The cache is opt-in:
 * with no rule nothing is cached. A query is cached when it matches a rule, is deterministic (no
 * {@code now()}, {@code random()}, sequences, {@code FOR UPDATE}, temporary tables, ...) and reads
 * only base tables the cache can watch.
 *
 * <pre>{@code
 * DbOptimizer db = DbOptimizer.builder(optimizer)
 *     .resultCache(ResultCacheSettings.builder()
 *         .cacheTables("products", "categories")
 *         .maximumBytes(128L << 20)
 *         .timeToLive(Duration.ofSeconds(30))
 *         .build())
 *     .build();
 * }</pre>
 *
 * <p>A cached result is dropped when the application writes, through the wrapped DataSource, to a
 * table the query reads: at once for auto-commit writes, at commit for transactional ones. Writers
 * outside the application (another service, a cron job, a trigger the cache cannot see) are bounded
 * only by {@code timeToLive}.
 *
 * <p>To let the optimizer choose the queries itself, in AUTO mode and as judged trials, see {@link
 * ResultCacheTrialSettings}; rules given here still win over its choices.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th></tr>
 *   <tr><td>cacheTables / cacheStatementsMatching / cacheAllReads</td><td>none</td><td>at least
 *   one</td></tr>
 *   <tr><td>maximumBytes</td><td>64 MiB</td><td>[1 KiB, 1 TiB]</td></tr>
 *   <tr><td>maximumEntryBytes</td><td>1 MiB</td><td>[64 B, maximumBytes]</td></tr>
 *   <tr><td>timeToLive</td><td>60 s</td><td>[1 ms, 1 day]</td></tr>
 *   <tr><td>remote</td><td>none (in-process only)</td><td>{@link RemoteCacheSettings}</td></tr>
 *   <tr><td>refreshAhead</td><td>off</td><td>on / off</td></tr>
 *   <tr><td>refreshMinHits</td><td>3</td><td>[1, 1,000,000]</td></tr>
 * </table>
 *
 * <p><b>Refresh-ahead.</b> When the application commits a write to one row (by its integer primary
 * key), the cached reads of that row are no longer served. With {@code refreshAhead} on, each such
 * read that was hit at least {@code refreshMinHits} times since it was stored is run again in the
 * background right after the commit, so that the next reader finds the new row in the cache. A
 * refresh is a load like a miss's (the versions are read before the query, so a write that races it
 * makes its result unservable); it takes a connection from the pool only while the pool has an idle
 * one and no thread waits for one (HikariCP pools only: with another data source nothing is
 * refreshed), never joins the application's transaction, and is dropped, not queued without bound,
 * when the background threads are busy. It is off by default: it spends idle connections and CPU in
 * the background (on a loaded 2-core machine writers' p95 rose with it, not yet explained), and
 * HikariCP offers no try-acquire, so between the idle check and the borrow an application thread
 * may briefly wait behind a refresh. Turn it on where hot rows are written and read often.
 *
 * <p>Immutable and thread-safe.
 */
public final class ResultCacheSettings {
  private final Set<String> tables;
  private final List<Pattern> patterns;
  private final boolean allReads;
  private final long maximumBytes;
  private final long maximumEntryBytes;
  private final Duration timeToLive;
  private final RemoteCacheSettings remote;
  private final boolean refreshAhead;
  private final int refreshMinHits;

  private ResultCacheSettings(Builder b) {
    this.refreshAhead = b.refreshAhead;
    this.refreshMinHits = b.refreshMinHits;
    this.remote = b.remote;
    this.tables = Set.copyOf(b.tables);
    this.patterns = List.copyOf(b.patterns);
    this.allReads = b.allReads;
    this.maximumBytes = b.maximumBytes;
    this.maximumEntryBytes = b.maximumEntryBytes;
    this.timeToLive = b.timeToLive;
  }

  /** Starts the settings. */
  public static Builder builder() {
    return new Builder();
  }

  /** Tables (lower-case, unqualified) whose queries are cached when they read no other table. */
  public Set<String> tables() {
    return tables;
  }

  /** Patterns over the sanitized statement text ({@code ?} for values) that select queries. */
  public List<Pattern> patterns() {
    return patterns;
  }

  /** Whether every deterministic query is a candidate. */
  public boolean allReads() {
    return allReads;
  }

  /** The bound of the in-process cache, in (estimated) bytes. */
  public long maximumBytes() {
    return maximumBytes;
  }

  /** The largest result cached; larger results are read from the database every time. */
  public long maximumEntryBytes() {
    return maximumEntryBytes;
  }

  /** How long a result may be served at most, bounding staleness from writers we cannot see. */
  public Duration timeToLive() {
    return timeToLive;
  }

  /** The shared Redis tier, or null when the cache is in-process only. */
  public RemoteCacheSettings remote() {
    return remote;
  }

  /** Whether hot results of one row are reloaded in the background after a write to the row. */
  public boolean refreshAhead() {
    return refreshAhead;
  }

  /** How many hits since it was stored make a result worth a refresh-ahead. */
  public int refreshMinHits() {
    return refreshMinHits;
  }

  /**
   * Whether a query with this sanitized text and these read tables (lower-case, unqualified) is
   * selected by a rule.
   */
  public boolean selects(String sanitizedText, Set<String> readTables) {
    if (allReads) {
      return true;
    }
    if (!tables.isEmpty() && !readTables.isEmpty() && tables.containsAll(readTables)) {
      return true;
    }
    for (Pattern p : patterns) {
      if (p.matcher(sanitizedText).find()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "ResultCacheSettings{tables="
        + new TreeSet<>(tables)
        + ", patterns="
        + patterns
        + ", allReads="
        + allReads
        + ", maximumBytes="
        + maximumBytes
        + ", maximumEntryBytes="
        + maximumEntryBytes
        + ", timeToLive="
        + timeToLive
        + ", remote="
        + remote
        + ", refreshAhead="
        + refreshAhead
        + ", refreshMinHits="
        + refreshMinHits
        + "}";
  }

  /** Builds {@link ResultCacheSettings}; each setting is checked when given. */
  public static final class Builder {
    private final Set<String> tables = new TreeSet<>();
    private final java.util.ArrayList<Pattern> patterns = new java.util.ArrayList<>();
    private boolean allReads;
    private long maximumBytes = 64L << 20;
    private long maximumEntryBytes = 1L << 20;
    private Duration timeToLive = Duration.ofSeconds(60);
    private boolean entryBytesSet;
    private RemoteCacheSettings remote;
    private boolean refreshAhead = false;
    private int refreshMinHits = 3;

    private Builder() {}

    /**
     * Caches queries that read only these tables (names unqualified, compared case-insensitively).
     */
    public Builder cacheTables(String... names) {
      Checks.notNull("cacheTables", names);
      for (String n : names) {
        tables.add(SettingValues.tableName("cacheTables", n));
      }
      return this;
    }

    /**
     * Caches queries whose sanitized text (literals and bind markers as {@code ?}, keywords
     * upper-case, as in the statement insight) contains a match of this regular expression.
     */
    public Builder cacheStatementsMatching(String regex) {
      patterns.add(SettingValues.pattern("cacheStatementsMatching", regex));
      return this;
    }

    /** Makes every deterministic query over base tables a candidate. */
    public Builder cacheAllReads() {
      this.allReads = true;
      return this;
    }

    /**
     * The bound of the in-process cache's results in bytes, in [1 KiB, 1 TiB]; default 64 MiB. What
     * the cache keeps per statement and per key besides (key pins, refresh recipes, per-key
     * versions) is bounded apart, by a quarter of this.
     */
    public Builder maximumBytes(long bytes) {
      this.maximumBytes = Checks.inRange("maximumBytes", bytes, 1024, 1L << 40);
      return this;
    }

    /** The largest result cached, in bytes, in [64, maximumBytes]; default 1 MiB. */
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
     * Adds a Redis tier shared by every instance; see {@link RemoteCacheSettings} for what it
     * guarantees. Needs {@code io.lettuce:lettuce-core} on the class path.
     */
    public Builder remote(RemoteCacheSettings settings) {
      Checks.notSetBefore("remote", this.remote != null);
      this.remote = Checks.notNull("remote", settings);
      return this;
    }

    /**
     * Whether a result of one row (a read pinned to an integer primary key) that was hit at least
     * {@link #refreshMinHits} times is reloaded in the background right after the application
     * commits a write to that row; default off. See the class description for its limits.
     */
    public Builder refreshAhead(boolean on) {
      this.refreshAhead = on;
      return this;
    }

    /**
     * How many hits since it was stored make a result worth a refresh-ahead, in [1, 1000000];
     * default 3.
     */
    public Builder refreshMinHits(int hits) {
      this.refreshMinHits = Checks.inRange("refreshMinHits", hits, 1, 1_000_000);
      return this;
    }

    /**
     * Builds the settings.
     *
     * @throws IllegalStateException if no rule selects anything
     * @throws IllegalArgumentException if maximumEntryBytes exceeds maximumBytes
     */
    public ResultCacheSettings build() {
      if (!allReads && tables.isEmpty() && patterns.isEmpty()) {
        throw new IllegalStateException(
            "the result cache needs a rule: cacheTables, cacheStatementsMatching or cacheAllReads");
      }
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
      return new ResultCacheSettings(this);
    }
  }
}
