package dev.optimizer.db.cache.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.optimizer.db.internal.StatementKey;
import java.util.concurrent.atomic.LongAdder;

/**
 * What each statement of one data source reads and writes ({@link TableAnalyzer}), once per
 * fingerprint, shared by the data source's result cache and its cache candidates. The analysis
 * parses the statement, which takes milliseconds on a busy machine and happens on the request path
 * the first time a statement runs (the parser itself is loaded ahead, by {@link ParserWarmUp});
 * both used to do it, each in a cache of its own, so that every new statement was parsed twice.
 * Bounded to the {@value #MAX_STATEMENTS} most recent fingerprints. Thread-safe.
 */
public final class StatementAnalyses {
  private static final int MAX_STATEMENTS = 20_000;

  private final Cache<Long, StatementTables> byFingerprint =
      Caffeine.newBuilder().maximumSize(MAX_STATEMENTS).build();
  private final LongAdder analysed = new LongAdder();

  /**
   * An empty set of analyses, for one data source. Starts loading the SQL parser in the background
   * (once per class loader), so that the first statement analysed does not pay for it.
   */
  public StatementAnalyses() {
    ParserWarmUp.start();
  }

  /** The statement's analysis, made the first time it is asked for; never throws. */
  StatementTables of(StatementKey key) {
    return byFingerprint.get(key.id(), id -> analyse(key));
  }

  private StatementTables analyse(StatementKey key) {
    analysed.increment();
    return TableAnalyzer.analyze(key);
  }

  /** How many statements were analysed (parsed) so far, for tests. */
  long analysed() {
    return analysed.sum();
  }
}
