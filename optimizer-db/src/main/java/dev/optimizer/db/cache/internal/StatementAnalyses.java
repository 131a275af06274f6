package dev.optimizer.db.cache.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.optimizer.db.internal.StatementKey;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What each statement of one data source reads and writes ({@link TableAnalyzer}), once per
 * fingerprint, shared by the data source's result cache and its cache candidates. The analysis
 * parses the statement, which takes milliseconds the first time a statement runs (measured on a
 * wrapped PostgreSQL pool: 1.2–2.8 ms added to a new statement's first execution, 0.1–0.2 ms for
 * the fingerprint alone); the parser itself is loaded ahead, by {@link ParserWarmUp}. Bounded to
 * the {@value #MAX_STATEMENTS} most recent fingerprints. Thread-safe.
 *
 * <p>Two ways to ask. The result cache needs the analysis before it may answer or invalidate, so
 * {@link #of} makes it on the calling thread. The cache candidates only count, so {@link
 * #ifAnalysed} never parses there: it hands a statement not analysed yet to one background thread
 * of this data source and answers null meanwhile (its executions are not counted until the analysis
 * is made). At most {@value #MAX_QUEUED} statements wait for that thread; past them a new statement
 * is not queued, and a later execution of it asks again. {@link #close()} stops the thread and
 * drops what waits.
 */
public final class StatementAnalyses implements AutoCloseable {
  private static final int MAX_STATEMENTS = 20_000;

  /** Statements waiting for the background analysis, at most. */
  static final int MAX_QUEUED = 1024;

  private static final AtomicInteger THREADS = new AtomicInteger();

  private final Cache<Long, StatementTables> byFingerprint =
      Caffeine.newBuilder().maximumSize(MAX_STATEMENTS).build();
  private final LongAdder analysed = new LongAdder();

  /** Per fingerprint queued for the background thread: completes when its analysis is made. */
  private final ConcurrentHashMap<Long, CompletableFuture<StatementTables>> queued =
      new ConcurrentHashMap<>();

  /** Places taken in the queue (reserved before a statement is queued, so never past the bound). */
  private final AtomicInteger queuedCount = new AtomicInteger();

  private final Executor background;
  private final ThreadPoolExecutor ownPool; // null when the executor was given (tests)
  private volatile boolean closed;
  private volatile String lastAnalysedOn;

  /**
   * An empty set of analyses, for one data source. Starts loading the SQL parser in the background
   * (once per class loader), so that the first statement analysed does not pay for it.
   */
  public StatementAnalyses() {
    ownPool =
        new ThreadPoolExecutor(
            1,
            1,
            60,
            TimeUnit.SECONDS,
            // Unbounded in type only: queuedCount keeps it at MAX_QUEUED at most.
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "optimizer-sql-analysis-" + THREADS.incrementAndGet());
              t.setDaemon(true); // never holds the JVM open
              return t;
            });
    ownPool.allowCoreThreadTimeOut(true); // nothing held while no new statement comes
    background = ownPool;
    ParserWarmUp.start();
  }

  /** Analyses whose background analysis runs on {@code background} (for tests). */
  StatementAnalyses(Executor background) {
    this.background = background;
    this.ownPool = null;
  }

  /** The statement's analysis, made on the calling thread the first time it is asked for. */
  StatementTables of(StatementKey key) {
    return byFingerprint.get(key.id(), id -> analyse(key));
  }

  /**
   * The statement's analysis if it was made already; otherwise null, and the analysis is queued for
   * the background thread (unless it is queued already, the queue is full, or this is closed).
   * Never parses on the calling thread; never throws.
   */
  StatementTables ifAnalysed(StatementKey key) {
    StatementTables t = byFingerprint.getIfPresent(key.id());
    if (t != null || closed || queued.containsKey(key.id())) {
      return t;
    }
    queue(key);
    // A direct executor (tests) has made it already.
    return byFingerprint.getIfPresent(key.id());
  }

  private void queue(StatementKey key) {
    if (queuedCount.incrementAndGet() > MAX_QUEUED) {
      queuedCount.decrementAndGet(); // full: a later execution asks again
      return;
    }
    CompletableFuture<StatementTables> done = new CompletableFuture<>();
    if (queued.putIfAbsent(key.id(), done) != null) {
      queuedCount.decrementAndGet(); // another caller queued it meanwhile
      return;
    }
    try {
      background.execute(() -> analyseQueued(key, done));
    } catch (RejectedExecutionException e) {
      dequeue(key, done, null); // closed meanwhile
    }
  }

  private void analyseQueued(StatementKey key, CompletableFuture<StatementTables> done) {
    StatementTables t = null;
    try {
      if (!closed) {
        t = of(key); // shares the cache's load: a statement is still parsed once
      }
    } finally {
      dequeue(key, done, t);
    }
  }

  private void dequeue(
      StatementKey key, CompletableFuture<StatementTables> done, StatementTables result) {
    if (queued.remove(key.id(), done)) {
      queuedCount.decrementAndGet();
    }
    done.complete(result);
  }

  private StatementTables analyse(StatementKey key) {
    analysed.increment();
    lastAnalysedOn = Thread.currentThread().getName();
    return TableAnalyzer.analyze(key);
  }

  /**
   * Stops the background thread; statements still queued are not analysed (their futures complete
   * with null). Later {@link #ifAnalysed} calls queue nothing and answer only analyses already
   * made; {@link #of} still analyses on the calling thread. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    if (ownPool != null) {
      for (Runnable r : ownPool.shutdownNow()) {
        r.run(); // each sees closed and only completes its future
      }
    }
  }

  /** How many statements were analysed (parsed) so far, for tests. */
  long analysed() {
    return analysed.sum();
  }

  /** The name of the thread that made the latest analysis, for tests. */
  String lastAnalysedOn() {
    return lastAnalysedOn;
  }

  /** How many statements wait for the background analysis now, for tests. */
  int queued() {
    return queuedCount.get();
  }

  /**
   * Completes with the statement's analysis once it is made, or with null when it was dropped (the
   * analyses were closed); at once when it is made already or not queued (then null), for tests.
   */
  CompletableFuture<StatementTables> analysis(StatementKey key) {
    CompletableFuture<StatementTables> f = queued.get(key.id());
    return f != null ? f : CompletableFuture.completedFuture(byFingerprint.getIfPresent(key.id()));
  }

  /**
   * Whether the background thread ended within {@code seconds} (after {@link #close()}), for tests.
   */
  boolean awaitTerminated(long seconds) throws InterruptedException {
    return ownPool == null || ownPool.awaitTermination(seconds, TimeUnit.SECONDS);
  }
}
