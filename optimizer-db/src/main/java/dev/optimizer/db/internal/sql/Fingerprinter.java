package dev.optimizer.db.internal.sql;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Computes the {@link Fingerprint} of SQL statements of one {@link SqlDialect}, the way
 * pg_stat_statements groups them: statements that differ only in literal values, bind markers,
 * lengths of constant {@code IN} lists or multi-row {@code VALUES}, comments, whitespace or keyword
 * case share a fingerprint. Thread-safe.
 *
 * <p>It never throws on a statement, however malformed: what it cannot make sense of gets a
 * best-effort fingerprint marked {@link Fingerprint#fallback()}. Its cost is bounded whatever the
 * input: one linear lexing pass, without regular expressions or recursion, feeds both the
 * normalized text and the summary; a statement longer than {@code maxStatementLength} is
 * fingerprinted from its prefix (and marked {@link Fingerprint#truncated()}), and nesting deeper
 * than {@code maxNestingDepth} is written out without further collapsing.
 *
 * <p>Applications send the same few hundred statements over and over, so results are kept in a
 * bounded cache keyed by the raw statement; a repeated statement costs one hash lookup. Statements
 * longer than {@code maxCachedStatementLength} are not cached: they are mostly generated with their
 * values inline, rarely repeat verbatim, and would make the cache's memory unbounded (it is at most
 * {@code cacheSize × maxCachedStatementLength} characters). The raw statements, values and all,
 * stay in that heap memory and are never written anywhere. The cache does its maintenance on the
 * calling thread, so the fingerprinter owns no thread.
 */
public final class Fingerprinter {

  /** Default for {@code maxStatementLength}: 64 KiB. */
  public static final int DEFAULT_MAX_STATEMENT_LENGTH = 64 * 1024;

  /** Smallest {@code maxStatementLength} accepted. */
  public static final int MIN_MAX_STATEMENT_LENGTH = 1024;

  /** Largest {@code maxStatementLength} accepted: 16 MiB. */
  public static final int MAX_MAX_STATEMENT_LENGTH = 16 * 1024 * 1024;

  /** Default for {@code cacheSize}, in statements. */
  public static final int DEFAULT_CACHE_SIZE = 10_000;

  /** Largest {@code cacheSize} accepted; 0 turns the cache off. */
  public static final int MAX_CACHE_SIZE = 1_000_000;

  /** Default for {@code maxCachedStatementLength}: 8 KiB. */
  public static final int DEFAULT_MAX_CACHED_STATEMENT_LENGTH = 8 * 1024;

  /** Default for {@code maxNestingDepth}. */
  public static final int DEFAULT_MAX_NESTING_DEPTH = 256;

  /** Smallest {@code maxNestingDepth} accepted. */
  public static final int MIN_MAX_NESTING_DEPTH = 16;

  /** Largest {@code maxNestingDepth} accepted. */
  public static final int MAX_MAX_NESTING_DEPTH = 4096;

  /** Appended to the normalized prefix of a truncated statement. */
  static final String TRUNCATION_MARK = " …";

  private final SqlDialect dialect;
  private final int maxStatementLength;
  private final int maxCachedStatementLength;
  private final int maxNestingDepth;
  private final int cacheSize;
  private final Cache<String, Fingerprint> cache;

  Fingerprinter(
      SqlDialect dialect,
      int maxStatementLength,
      int maxNestingDepth,
      int cacheSize,
      int maxCachedStatementLength) {
    this.dialect = dialect;
    this.maxStatementLength = maxStatementLength;
    this.maxNestingDepth = maxNestingDepth;
    this.cacheSize = cacheSize;
    this.maxCachedStatementLength = maxCachedStatementLength;
    this.cache =
        cacheSize == 0
            ? null
            : Caffeine.newBuilder().maximumSize(cacheSize).executor(Runnable::run).build();
  }

  /** A fingerprinter for {@code dialect} with the default settings. */
  public static Fingerprinter create(SqlDialect dialect) {
    return builder(dialect).build();
  }

  /** A builder of a fingerprinter for {@code dialect}, to change the settings. */
  public static FingerprinterBuilder builder(SqlDialect dialect) {
    return new FingerprinterBuilder(dialect);
  }

  /**
   * The fingerprint of {@code sql}. Never throws for any non-null input; a blank statement gets a
   * fallback fingerprint.
   *
   * @throws IllegalArgumentException if {@code sql} is null
   */
  public Fingerprint fingerprint(String sql) {
    if (sql == null) {
      throw new IllegalArgumentException("sql must not be null");
    }
    boolean cacheable = cache != null && sql.length() <= maxCachedStatementLength;
    if (cacheable) {
      Fingerprint known = cache.getIfPresent(sql);
      if (known != null) {
        return known;
      }
    }
    // Computed outside the cache's lock: two threads may both compute a new statement, which is
    // harmless (the result is deterministic) and cheaper than making every miss wait on one.
    Fingerprint computed = compute(sql);
    if (cacheable) {
      cache.put(sql, computed);
    }
    return computed;
  }

  /** The dialect statements are lexed as. */
  public SqlDialect dialect() {
    return dialect;
  }

  /** About how many statements the cache holds now; 0 when it is off. */
  long estimatedCacheSize() {
    return cache == null ? 0 : cache.estimatedSize();
  }

  private Fingerprint compute(String sql) {
    int length = sql.length();
    boolean truncated = length > maxStatementLength;
    int limit = truncated ? prefixEnd(sql, maxStatementLength) : length;
    QuerySummarizer summarizer = new QuerySummarizer();
    SqlNormalizer.Result normalized =
        SqlNormalizer.normalize(sql, limit, dialect, maxNestingDepth, summarizer);
    QuerySummarizer.Summary summary = summarizer.finish();
    String text = truncated ? normalized.text() + TRUNCATION_MARK : normalized.text();
    // A cut prefix naturally ends inside a string or parenthesis; that alone is not a failure.
    boolean broken = !truncated && (normalized.unterminated() || normalized.unbalanced());
    boolean fallback = summary.operation().isEmpty() || normalized.depthExceeded() || broken;
    return new Fingerprint(
        FingerprintHash.of(text),
        text,
        summary.operation(),
        summary.collection(),
        summary.text(),
        dialect,
        fallback,
        truncated,
        length);
  }

  /** The end of the prefix to keep, never between the two halves of a surrogate pair. */
  private static int prefixEnd(String sql, int max) {
    return Character.isHighSurrogate(sql.charAt(max - 1)) ? max - 1 : max;
  }

  @Override
  public String toString() {
    return "Fingerprinter{dialect="
        + dialect
        + ", maxStatementLength="
        + maxStatementLength
        + ", maxNestingDepth="
        + maxNestingDepth
        + ", cacheSize="
        + cacheSize
        + ", maxCachedStatementLength="
        + maxCachedStatementLength
        + "}";
  }
}
