package dev.optimizer.db.internal.sql;

import dev.optimizer.api.internal.Checks;

/**
 * Settings of a {@link Fingerprinter}, each checked when given; a setting may be given once. Obtain
 * one from {@link Fingerprinter#builder(SqlDialect)}.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th></tr>
 *   <tr><td>maxStatementLength</td><td>65536</td><td>[1024, 16777216] characters</td></tr>
 *   <tr><td>maxNestingDepth</td><td>256</td><td>[16, 4096] parentheses</td></tr>
 *   <tr><td>cacheSize</td><td>10000</td><td>[0, 1000000] statements; 0 turns it off</td></tr>
 *   <tr><td>maxCachedStatementLength</td><td>8192</td><td>[0, 16777216] characters</td></tr>
 * </table>
 */
public final class FingerprinterBuilder {

  private final SqlDialect dialect;
  private Integer maxStatementLength;
  private Integer maxNestingDepth;
  private Integer cacheSize;
  private Integer maxCachedStatementLength;

  FingerprinterBuilder(SqlDialect dialect) {
    if (dialect == null) {
      throw new IllegalArgumentException("dialect must not be null");
    }
    this.dialect = dialect;
  }

  /**
   * Sets the length beyond which a statement is fingerprinted from its prefix of this many
   * characters, which bounds the time one statement can take.
   */
  public FingerprinterBuilder maxStatementLength(int maxStatementLength) {
    Checks.notSetBefore("maxStatementLength", this.maxStatementLength != null);
    this.maxStatementLength =
        Checks.inRange(
            "maxStatementLength",
            maxStatementLength,
            Fingerprinter.MIN_MAX_STATEMENT_LENGTH,
            Fingerprinter.MAX_MAX_STATEMENT_LENGTH);
    return this;
  }

  /** Sets how deep parentheses are tracked; deeper lists are written out but not collapsed. */
  public FingerprinterBuilder maxNestingDepth(int maxNestingDepth) {
    Checks.notSetBefore("maxNestingDepth", this.maxNestingDepth != null);
    this.maxNestingDepth =
        Checks.inRange(
            "maxNestingDepth",
            maxNestingDepth,
            Fingerprinter.MIN_MAX_NESTING_DEPTH,
            Fingerprinter.MAX_MAX_NESTING_DEPTH);
    return this;
  }

  /** Sets how many statements the cache of fingerprints holds; 0 turns the cache off. */
  public FingerprinterBuilder cacheSize(int cacheSize) {
    Checks.notSetBefore("cacheSize", this.cacheSize != null);
    this.cacheSize = Checks.inRange("cacheSize", cacheSize, 0, Fingerprinter.MAX_CACHE_SIZE);
    return this;
  }

  /** Sets the length beyond which a statement's fingerprint is not cached. */
  public FingerprinterBuilder maxCachedStatementLength(int maxCachedStatementLength) {
    Checks.notSetBefore("maxCachedStatementLength", this.maxCachedStatementLength != null);
    this.maxCachedStatementLength =
        Checks.inRange(
            "maxCachedStatementLength",
            maxCachedStatementLength,
            0,
            Fingerprinter.MAX_MAX_STATEMENT_LENGTH);
    return this;
  }

  /** Builds the fingerprinter, with the defaults for settings not given. */
  public Fingerprinter build() {
    return new Fingerprinter(
        dialect,
        orDefault(maxStatementLength, Fingerprinter.DEFAULT_MAX_STATEMENT_LENGTH),
        orDefault(maxNestingDepth, Fingerprinter.DEFAULT_MAX_NESTING_DEPTH),
        orDefault(cacheSize, Fingerprinter.DEFAULT_CACHE_SIZE),
        orDefault(maxCachedStatementLength, Fingerprinter.DEFAULT_MAX_CACHED_STATEMENT_LENGTH));
  }

  private static int orDefault(Integer value, int defaultValue) {
    return value == null ? defaultValue : value;
  }
}
