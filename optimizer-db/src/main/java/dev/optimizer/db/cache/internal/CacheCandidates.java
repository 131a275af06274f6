package dev.optimizer.db.cache.internal;

import dev.optimizer.api.Recommendation;
import dev.optimizer.db.cache.CacheCandidate;
import dev.optimizer.db.internal.StatementKey;
import dev.optimizer.runtime.Optimizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Finds cache-worthy queries in the traffic of one data source (in RECOMMEND and AUTO modes): per
 * deterministic query, its reads and an estimate of its distinct parameter sets (linear counting
 * over a 4096-bit map of parameter hashes: one atomic OR per read, no values kept); per table, the
 * writes. A query read {@value #MIN_READS}+ times with an expected hit rate of at least {@value
 * #RECOMMEND_AT} becomes a {@code result-cache} recommendation, once. In AUTO mode, with {@link
 * CacheTrials} attached, about one read in {@value #CONSIDER_EVERY} of each query hands its current
 * estimate to the trials, which start a judged trial when it qualifies.
 *
 * <p>Thread-safe; bounded to {@value #MAX_QUERIES} queries and the tables they name.
 */
public final class CacheCandidates {
  static final int MAX_QUERIES = 2000;
  static final long MIN_READS = 1000;
  static final double RECOMMEND_AT = 0.5;
  private static final int BITS = 4096;
  static final int CONSIDER_EVERY = 64;

  private final Optimizer optimizer;
  private final StatementAnalyses analyses;
  private final ConcurrentHashMap<Long, Query> queries = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LongAdder> writes = new ConcurrentHashMap<>();
  private final LongAdder writesToAll = new LongAdder();
  private final Set<Long> recommended = ConcurrentHashMap.newKeySet();
  private volatile CacheTrials trials;

  /**
   * One query's counts. It keeps its key with the text cut as the statistics cut it ({@link
   * StatementKey#statisticsKey()}: at most {@value StatementKey#MAX_STATISTICS_TEXT} characters;
   * the id stays the full text's), not the full text, which may be as long as {@code
   * maxStatementLength} (64 KiB by default) for each of up to {@value #MAX_QUERIES} queries. The
   * one use of the full text, the user's rules over it (a trials' exclusion, a cache rule that
   * selects it already), is decided once, when the query is first seen: a pattern that matches past
   * the cut must still hold.
   */
  private static final class Query {
    final StatementKey key;
    final Set<String> tables;
    final LongAdder reads = new LongAdder();
    final AtomicLongArray seen = new AtomicLongArray(BITS / 64);

    /** The trials whose rules were checked against the full text, or null when none were set. */
    final CacheTrials checkedFor;

    /** Whether those rules leave the query to a trial (neither excluded nor cached by a rule). */
    final boolean trialable;

    Query(StatementKey key, Set<String> tables, CacheTrials trials) {
      this.key = key.statisticsKey();
      this.tables = tables;
      this.checkedFor = trials;
      this.trialable = trials != null && trials.leftToTrials(key.text(), tables);
    }

    long distinct() {
      int zeros = 0;
      for (int i = 0; i < seen.length(); i++) {
        zeros += Long.bitCount(~seen.get(i));
      }
      if (zeros == 0) {
        return reads.sum(); // saturated: as if every read were new
      }
      return Math.min(reads.sum(), Math.round(-BITS * Math.log((double) zeros / BITS)));
    }
  }

  /** Candidates for one data source. */
  public CacheCandidates(Optimizer optimizer) {
    this(optimizer, new StatementAnalyses());
  }

  /** The statement analyses these candidates read (for tests). */
  StatementAnalyses analyses() {
    return analyses;
  }

  /** Candidates for one data source, sharing its statements' analyses with its result cache. */
  public CacheCandidates(Optimizer optimizer, StatementAnalyses analyses) {
    this.optimizer = optimizer;
    this.analyses = analyses;
  }

  /**
   * Sets who may turn the cache on for the candidates found (AUTO mode); null for nobody. Set it
   * before the traffic: a query first seen before is never handed to them.
   */
  public void trials(CacheTrials trials) {
    this.trials = trials;
  }

  /**
   * What one fingerprint's executions count towards, resolved once: its query (a cacheable read),
   * the write counters of its tables (a write), or nothing. A statement slot keeps it, so that an
   * execution skips the analysis lookup and the maps; immutable, so a racy read sees all of it.
   */
  public static final class Tracker {
    private final CacheCandidates owner;
    private final Query query;
    private final LongAdder[] writes;
    private final boolean writesAll;

    private Tracker(CacheCandidates owner, Query query, LongAdder[] writes, boolean writesAll) {
      this.owner = owner;
      this.query = query;
      this.writes = writes;
      this.writesAll = writesAll;
    }

    /** Whether this tracker counts for {@code candidates}. */
    public boolean of(CacheCandidates candidates) {
      return owner == candidates;
    }
  }

  /**
   * The tracker of a statement, or null while the mode does not recommend (nothing is counted then,
   * and nothing is analyzed) or while the statement's analysis is being made: that parses the
   * statement, milliseconds the application's thread would wait for a count, so it is made in the
   * background ({@link StatementAnalyses#ifAnalysed}) and the executions before it is ready are not
   * counted. Queries beyond {@value #MAX_QUERIES}, and tables beyond ten times that, are not
   * tracked, as they never were: the maps only grow.
   */
  public Tracker tracker(StatementKey key) {
    if (!optimizer.mode().recommends()) {
      return null;
    }
    StatementTables t = analyses.ifAnalysed(key);
    if (t == null) {
      return null; // asked again at the next execution: the slot keeps no null tracker
    }
    switch (t.kind()) {
      case READ -> {
        if (t.notCacheable() != null) {
          return new Tracker(this, null, null, false);
        }
        Query q = queries.get(key.id());
        if (q == null && queries.size() < MAX_QUERIES) {
          // Made outside the map's lock: it matches the user's patterns against the full text.
          Query made = new Query(key, t.tables(), trials);
          Query raced = queries.putIfAbsent(key.id(), made);
          q = raced != null ? raced : made;
        }
        return new Tracker(this, q, null, false);
      }
      case WRITE -> {
        List<LongAdder> adders = new ArrayList<>();
        for (String table : t.tables()) {
          LongAdder w = writes.get(table);
          if (w == null && writes.size() < 10 * MAX_QUERIES) {
            w = writes.computeIfAbsent(table, n -> new LongAdder());
          }
          if (w != null) {
            adders.add(w);
          }
        }
        return new Tracker(this, null, adders.toArray(new LongAdder[0]), false);
      }
      case WRITE_ALL, WRITE_ALL_SESSION, WRITE_ALL_MAYBE_SESSION, SEVERAL -> {
        return new Tracker(this, null, null, true);
      }
      default -> {
        return new Tracker(this, null, null, false); // neither a query nor a write
      }
    }
  }

  /** One execution (any statement), with the hash of its parameters (or of its literal text). */
  public void executed(StatementKey key, long parameterHash) {
    Tracker t = tracker(key);
    if (t != null) {
      executed(t, parameterHash);
    }
  }

  /** One execution of the statement {@code tracker} was resolved for (by this). */
  public void executed(Tracker tracker, long parameterHash) {
    if (!optimizer.mode().recommends()) {
      return;
    }
    if (tracker.writesAll) {
      writesToAll.increment();
    } else if (tracker.writes != null) {
      for (LongAdder w : tracker.writes) {
        w.increment();
      }
    } else if (tracker.query != null) {
      read(tracker.query, parameterHash);
    }
  }

  private void read(Query q, long parameterHash) {
    q.reads.increment();
    long h = parameterHash * 0x9E3779B97F4A7C15L;
    int bit = (int) (h >>> 52) & (BITS - 1);
    long mask = 1L << (bit & 63);
    if ((q.seen.get(bit >>> 6) & mask) == 0) {
      q.seen.getAndAccumulate(bit >>> 6, mask, (a, b) -> a | b);
    }
    if ((q.reads.sum() & 1023) == 0) {
      maybeRecommend(q);
    }
    CacheTrials t2 = trials;
    // Only the trials whose rules saw the full text (trials set after the query was first seen
    // never consider it: its full text is gone).
    if (t2 != null
        && t2 == q.checkedFor
        && q.trialable
        && java.util.concurrent.ThreadLocalRandom.current().nextInt(CONSIDER_EVERY) == 0
        && optimizer.mode().applies()) {
      t2.considerChecked(candidate(q));
    }
  }

  /** The candidates so far, by expected hit rate times reads (what caching would save). */
  public List<CacheCandidate> candidates() {
    List<CacheCandidate> out = new ArrayList<>();
    for (Query q : queries.values()) {
      out.add(candidate(q));
    }
    out.sort(Comparator.comparingDouble((CacheCandidate c) -> -c.expectedHitRate() * c.reads()));
    return out;
  }

  private CacheCandidate candidate(Query q) {
    long reads = q.reads.sum();
    long distinct = q.distinct();
    long tableWrites = writesToAll.sum();
    for (String t : q.tables) {
      LongAdder w = writes.get(t);
      tableWrites += w == null ? 0 : w.sum();
    }
    double repeat = reads == 0 ? 0 : Math.max(0, 1 - (double) distinct / reads);
    double expected = reads == 0 ? 0 : repeat * reads / (reads + (double) tableWrites);
    return new CacheCandidate(
        q.key.id(), q.key.text(), q.tables, reads, distinct, tableWrites, expected);
  }

  private void maybeRecommend(Query q) {
    CacheCandidate c = candidate(q);
    if (c.reads() < MIN_READS
        || c.expectedHitRate() < RECOMMEND_AT
        || !recommended.add(c.fingerprintId())) {
      return;
    }
    optimizer.recommend(
        Recommendation.builder("result-cache", Long.toHexString(c.fingerprintId()))
            .summary(
                String.format(
                    "This query repeats its parameters often and its tables are rarely written:"
                        + " a result cache would answer about %.0f%% of its executions"
                        + " (DbOptimizer.Builder#resultCache, cacheTables %s).",
                    100 * c.expectedHitRate(), c.tables()))
            .evidence("statement", c.text())
            .evidence("reads", String.valueOf(c.reads()))
            .evidence("distinctParameters", "~" + c.distinctParameters())
            .evidence("tableWrites", String.valueOf(c.tableWrites()))
            .evidence("expectedHitRate", String.format("%.2f", c.expectedHitRate()))
            .time(optimizer.clock().instant())
            .build());
  }
}
