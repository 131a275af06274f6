package dev.optimizer.db.internal;

import dev.optimizer.api.Recommendation;
import dev.optimizer.api.Ticker;
import dev.optimizer.db.NPlusOne;
import dev.optimizer.db.SlowStatement;
import dev.optimizer.runtime.Optimizer;
import io.opentelemetry.api.trace.Span;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The state one wrapped DataSource shares with its connections and statements: the fingerprint
 * function, the statistics table, telemetry, N+1 and slow-statement reporting.
 *
 * <p>A successful execution's statistics and histogram record, and a lease's wait and use times,
 * are {@linkplain DeferredRecords handed off} to a background thread rather than written on the
 * application's; what must see the caller (its stack for N+1 and slow-statement reports, its lease)
 * stays on the caller. Statistics snapshots and metric collection {@linkplain #flush() flush}
 * first, so they see every execution that has returned. Failed executions, and those inside a
 * sampled span (whose histogram exemplar needs the caller's context), are recorded inline.
 */
public final class Instrumentation implements AutoCloseable {
  /** Markers of the deferred lease records. */
  private static final Object WAITED = new Object();

  private static final Object USED = new Object();

  private static final System.Logger LOG = System.getLogger("dev.optimizer.db.statements");

  final Optimizer optimizer;
  final Ticker ticker;
  final DbIdentity identity;
  final Function<String, StatementKey> fingerprints;
  final StatementTable table;
  final DbTelemetry telemetry;
  final long slowNanos;
  final int nPlusOneThreshold;
  private final List<Consumer<SlowStatement>> slowListeners;
  // Grows only with a first report, so it is bounded as the reported pairs are.
  private final List<NPlusOne> nPlusOnes = new CopyOnWriteArrayList<>();
  private final ReportedOnce reported = new ReportedOnce();
  private volatile LeaseListener leases;
  private volatile ExecutionSampler sampler;
  private volatile dev.optimizer.db.cache.internal.ResultCache resultCache;
  private volatile dev.optimizer.db.batch.internal.BatchAdvisor batching;
  private volatile dev.optimizer.db.cache.internal.CacheCandidates cacheCandidates;
  private final DeferredRecords records;
  private final Runnable flusher = this::flush;

  /** Shared state for one wrapped DataSource; {@link #close()} stops its background recorder. */
  public Instrumentation(
      Optimizer optimizer,
      DbIdentity identity,
      Function<String, StatementKey> fingerprints,
      StatementTable table,
      DbTelemetry telemetry,
      Duration slowThreshold,
      int nPlusOneThreshold,
      List<Consumer<SlowStatement>> slowListeners) {
    this.optimizer = optimizer;
    this.ticker = optimizer.ticker();
    this.identity = identity;
    this.fingerprints = fingerprints;
    this.table = table;
    this.telemetry = telemetry;
    this.slowNanos = slowThreshold.toNanos();
    this.nPlusOneThreshold = nPlusOneThreshold;
    this.slowListeners = slowListeners;
    this.records = new DeferredRecords(this::apply, "optimizer-db-records-" + telemetry.poolName());
    table.addFlusher(flusher);
    telemetry.beforeCollect(flusher);
  }

  /** Applies every record handed off so far (statistics and telemetry), on the calling thread. */
  public void flush() {
    records.flush();
  }

  /** Applies what is left and stops the background recorder; later records are written inline. */
  @Override
  public void close() {
    table.removeFlusher(flusher);
    records.close();
  }

  /** Applies a deferred record; see {@link #executed} and the lease methods. */
  private void apply(Object what, long a, long b) {
    if (what instanceof StatementSlot.Counted c) {
      if (a >= 0) {
        c.entry().add(a, b, false);
        telemetry.operation(c.attributes(), a, null);
      } else {
        c.entry().rows.add(b);
      }
    } else if (what == WAITED) {
      telemetry.waited(a);
    } else if (what == USED) {
      telemetry.used(a);
    }
  }

  /**
   * Whether a record may leave the caller's thread: not inside a sampled span, whose context the
   * SDK's exemplar filter reads when a histogram value is recorded.
   */
  private static boolean deferrable() {
    return !Span.current().getSpanContext().isSampled();
  }

  /** A connection handed out after {@code nanos} of waiting. */
  void waited(long nanos) {
    if (!deferrable() || !records.offer(WAITED, nanos, 0)) {
      telemetry.waited(nanos);
    }
  }

  /** A connection given back after {@code nanos} of use. */
  void used(long nanos) {
    if (!deferrable() || !records.offer(USED, nanos, 0)) {
      telemetry.used(nanos);
    }
  }

  /** Sets who is told of each connection lease (the pool sizer). */
  public void leaseListener(LeaseListener listener) {
    this.leases = listener;
  }

  /** Sets who is told of each successful execution with its text and values (the index advisor). */
  public void sampler(ExecutionSampler sampler) {
    this.sampler = sampler;
  }

  /** Hands one execution to the sampler, if one is attached; never fails the call. */
  void sample(StatementKey key, String sql, BoundParameters parameters, long nanos) {
    ExecutionSampler s = sampler;
    if (s != null && sql != null) {
      try {
        s.executed(key, sql, parameters, nanos);
      } catch (RuntimeException e) {
        // The sampler only feeds advice; the application's call has already succeeded.
      }
    }
  }

  /** Sets who looks for cache-worthy queries in this data source's traffic (null: nobody). */
  public void cacheCandidates(dev.optimizer.db.cache.internal.CacheCandidates candidates) {
    this.cacheCandidates = candidates;
  }

  /** Who looks for cache-worthy queries in this data source's traffic; null for nobody. */
  public dev.optimizer.db.cache.internal.CacheCandidates cacheCandidates() {
    return cacheCandidates;
  }

  /** Sets the batching advisor of this data source (null: none). */
  public void batching(dev.optimizer.db.batch.internal.BatchAdvisor advisor) {
    this.batching = advisor;
  }

  /**
   * A single (not batched) execution of a write: counts it towards a write loop of its lease. Asks
   * the connection whether a transaction is open only when a loop is found.
   */
  void singleWrite(StatementKey key, Lease lease, java.sql.Statement statement) {
    dev.optimizer.db.batch.internal.BatchAdvisor advisor = batching;
    if (advisor == null || lease == null) {
      return;
    }
    if (!isRowWrite(key)) {
      return;
    }
    int threshold = dev.optimizer.db.batch.internal.BatchAdvisor.THRESHOLD;
    if (lease.writeLoops().executed(key.id(), threshold)) {
      boolean inTransaction;
      try {
        inTransaction = !statement.getConnection().getAutoCommit();
      } catch (java.sql.SQLException | RuntimeException e) {
        inTransaction = false;
      }
      advisor.writeLoop(
          key.id(), key.findingText(), threshold, inTransaction, CallSites.firstApplicationFrame());
    }
  }

  /** Sets the result cache of this data source (null: none). */
  public void resultCache(dev.optimizer.db.cache.internal.ResultCache cache) {
    this.resultCache = cache;
  }

  /** The result cache of this data source, or null. */
  public dev.optimizer.db.cache.internal.ResultCache resultCache() {
    return resultCache;
  }

  void leaseStarted() {
    LeaseListener l = leases;
    if (l != null) {
      l.leaseStarted();
    }
  }

  void leaseCompleted(long nanos) {
    LeaseListener l = leases;
    if (l != null) {
      l.leaseCompleted(nanos);
    }
  }

  void returned(java.sql.Connection connection) {
    LeaseListener l = leases;
    if (l != null) {
      l.returned(connection);
    }
  }

  void leaseFailed(long nanos) {
    LeaseListener l = leases;
    if (l != null) {
      l.leaseFailed(nanos);
    }
  }

  boolean enabled() {
    return optimizer.mode().observes();
  }

  /**
   * The slot of a statement text: its key and where it is counted. The fingerprinter has its own
   * cache, but a lookup there (hashing, a Caffeine read, a new key) costs about as much as the rest
   * of an execution's bookkeeping; most applications send the same few texts again and again, often
   * the very same String, so the last slot per position of a small direct-mapped table answers
   * first. Entries are immutable, so a racy read sees a whole one or none; long texts are not kept,
   * to bound what the table holds.
   */
  StatementSlot slot(String sql) {
    int h = sql.hashCode();
    int position = (h ^ (h >>> 16)) & (RECENT_SLOTS - 1);
    Recent r = recent[position];
    if (r != null && (r.sql == sql || r.sql.equals(sql))) {
      return r.slot;
    }
    StatementSlot slot = new StatementSlot(fingerprints.apply(sql));
    if (sql.length() <= RECENT_MAX_LENGTH) {
      recent[position] = new Recent(sql, slot);
    }
    return slot;
  }

  /** The key of a statement text. */
  StatementKey fingerprint(String sql) {
    return slot(sql).key;
  }

  private static final int RECENT_SLOTS = 256;
  private static final int RECENT_MAX_LENGTH = 2048;
  private final Recent[] recent = new Recent[RECENT_SLOTS];

  private record Recent(String sql, StatementSlot slot) {}

  /** Adds rows read through a result set to where its statement's executions are counted. */
  void addRows(StatementSlot slot, long rows) {
    if (rows <= 0) {
      return;
    }
    StatementSlot.Counted c = slot.resolved(table);
    if (c != null) {
      if (!records.offer(c, -1, rows)) {
        c.entry().rows.add(rows);
      }
    } else {
      table.addRowsCounted(slot.key, rows); // the table was cleared since the execution
    }
  }

  /** Records one execution in the table, telemetry, and the slow-statement and N+1 checks. */
  void executed(
      StatementSlot slot, long nanos, long rows, Throwable error, Lease lease, long parameterHash) {
    StatementKey key = slot.key;
    StatementSlot.Counted counted = slot.counted(table, telemetry);
    if (error != null || !deferrable() || !records.offer(counted, nanos, rows)) {
      counted.entry().add(nanos, rows, error != null);
      telemetry.operation(counted.attributes(), nanos, error);
    }
    dev.optimizer.db.cache.internal.CacheCandidates candidates = cacheCandidates;
    if (candidates != null && error == null) {
      // Resolved once per statement: the finder's analysis lookup and maps are not per execution.
      dev.optimizer.db.cache.internal.CacheCandidates.Tracker t = slot.tracker(candidates);
      if (t != null) {
        candidates.executed(t, parameterHash);
      }
    }
    if (nanos >= slowNanos) {
      slow(key, nanos, error != null);
    }
    // Writes repeated row by row are write loops (reported with the batching advice), not N+1
    // reads: a data script's INSERTs or an import loop are not an ORM fetching lazily.
    if (lease != null && !isRowWrite(key)) {
      int executions = lease.executed(key.id(), parameterHash);
      if (executions > 0) {
        nPlusOne(key, executions);
      }
    }
  }

  private static boolean isRowWrite(StatementKey key) {
    String op = key.operation();
    return op.equals("INSERT") || op.equals("UPDATE") || op.equals("DELETE");
  }

  private void slow(StatementKey key, long nanos, boolean failed) {
    SlowStatement event =
        new SlowStatement(
            key.id(),
            key.text(),
            Duration.ofNanos(nanos),
            failed,
            CallSites.firstApplicationFrame());
    LOG.log(
        System.Logger.Level.INFO,
        () ->
            "slow statement ("
                + event.duration().toMillis()
                + " ms"
                + (failed ? ", failed" : "")
                + ") at "
                + event.callSite().orElse("?")
                + ": "
                + event.text());
    for (Consumer<SlowStatement> l : slowListeners) {
      try {
        l.accept(event);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "slow-statement listener failed", e);
      }
    }
  }

  private void nPlusOne(StatementKey key, int executions) {
    Optional<String> site = CallSites.firstApplicationFrame();
    if (!reported.first(key.id(), site)) {
      return; // one report per statement and call site, up to ReportedOnce.MAX of them
    }
    // Bounded: kept as long as the data source lives, up to ReportedOnce.MAX of them.
    String text = key.findingText();
    NPlusOne finding = new NPlusOne(key.id(), text, executions, site);
    nPlusOnes.add(finding);
    LOG.log(
        System.Logger.Level.INFO,
        () ->
            "N+1: "
                + executions
                + " executions with distinct parameters in one connection lease at "
                + site.orElse("?")
                + ": "
                + text);
    if (optimizer.mode().recommends()) {
      optimizer.recommend(
          Recommendation.builder("n-plus-one", Long.toHexString(key.id()))
              .summary(
                  "The same statement ran "
                      + executions
                      + "+ times with different parameters in one connection lease; load the rows"
                      + " with one query (a join or an IN list) instead.")
              .evidence("statement", text)
              .evidence("executions", executions + "+")
              .evidence("callSite", site.orElse("unknown"))
              .time(optimizer.clock().instant())
              .build());
    }
  }

  /** The N+1 findings so far, oldest first. */
  public List<NPlusOne> nPlusOnes() {
    return List.copyOf(nPlusOnes);
  }
}
