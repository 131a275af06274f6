package dev.optimizer.db.cache.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/**
 * Refresh-ahead of hot results after the application's own writes: a result of a read pinned to one
 * key (see {@link KeyPins}) that was hit at least {@code minHits} times since it was stored is
 * loaded again in the background when the application commits a write to that key, so that the next
 * reader finds the new row in the cache instead of paying a round trip.
 *
 * <p>Why it cannot serve a stale row: a refresh is a {@link CacheLoad} like a miss's. It starts
 * after the write's versions were bumped (it is queued by the invalidation, which follows the
 * commit), reads the versions <em>before</em> its query, runs the query on a connection of its own
 * in auto-commit (or right after a rollback, so its snapshot is newer than the versions it read),
 * and stores the rows under those versions only if they are still current when the rows are read. A
 * write that commits while the refresh runs bumps the versions after its commit: either before the
 * refresh read them (then the query sees the write) or after (then the result is never served) —
 * the argument of {@link TableVersions}, unchanged.
 *
 * <p>What a refresh needs is kept per written key: the cache key (statement text, bound values,
 * connection context), the table and the pin. The bound values stay in memory only and are never
 * logged. Only single-table reads of the rule-selected store are refreshed; the index is bounded by
 * bytes (its recipes outlive the results they re-run, so their keys are weighed again here) and
 * holds at most {@link #MAX_PER_KEY} results per key.
 *
 * <p>Refreshes run on {@link #THREADS} named daemon threads behind a queue of {@link #QUEUE}; a
 * refresh that finds the queue full is dropped. A connection is taken from the pool only while it
 * has an idle one and no thread waits for one, and given back at once, so an application thread
 * never waits for a refresh. Failures are counted, never thrown. {@link #close()} stops the
 * threads.
 */
final class RefreshAhead implements AutoCloseable {
  static final int THREADS = 2;
  static final int QUEUE = 256;
  static final int MAX_PER_KEY = 8;

  /** Rough bytes of one index entry and of one recipe, besides its cache key. */
  private static final int ENTRY_BYTES = 96;

  private static final int RECIPE_BYTES = 112;

  /** Test hooks: called on a refresh thread; must not throw. */
  interface Hooks {
    /** The versions were read; the query is next. */
    default void beforeQuery(CacheKey key) {}

    /** The rows were read; the versions are read again next, to decide whether to store them. */
    default void afterQuery(CacheKey key) {}

    /** A refresh ended (stored, dropped or failed). */
    default void finished(CacheKey key, Outcome outcome) {}
  }

  enum Outcome {
    STORED,
    DROPPED,
    FAILED
  }

  /**
   * What re-running one cached read takes, and how often its current result was hit. {@code hits}
   * is written without synchronization: a lost increment only delays a refresh, and it stops
   * growing at {@code minHits}, so a hot entry does not keep writing one shared field.
   */
  static final class Recipe {
    final CacheKey key;
    final String sql;
    final Object[] values;
    final String[] tables;
    final KeyPins.Pin pin;
    final long keyValue;
    final long fingerprint;
    final AtomicBoolean queued = new AtomicBoolean();
    volatile int hits;

    Recipe(
        CacheKey key,
        String sql,
        Object[] values,
        String[] tables,
        KeyPins.Pin pin,
        long keyValue,
        long fingerprint) {
      this.key = key;
      this.sql = sql;
      this.values = values;
      this.tables = tables;
      this.pin = pin;
      this.keyValue = keyValue;
      this.fingerprint = fingerprint;
    }

    void hit(int minHits) {
      int h = hits;
      if (h < minHits) {
        hits = h + 1;
      }
    }
  }

  private final ResultCache cache;
  private final DataSource source;
  private final BooleanSupplier idle;
  private final int minHits;
  private final ThreadPoolExecutor executor;

  /**
   * Per written key, the recipes of its results: replaced, never changed, so it is weighed anew.
   */
  private final Cache<ResultCache.KeyWrite, Recipe[]> index;

  private volatile Hooks hooks = new Hooks() {};

  /**
   * The threads the executor made, weakly held: {@link ThreadPoolExecutor#awaitTermination} returns
   * once the last task ended, a moment before its thread is gone, and close() promises the latter.
   */
  private final Set<Thread> threads =
      Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  /** Refreshes handed to the threads (tests read it to see that a write queued none). */
  final LongAdder queued = new LongAdder();

  final LongAdder stored = new LongAdder();
  final LongAdder dropped = new LongAdder();
  final LongAdder failed = new LongAdder();

  /**
   * @param source the pool itself (not the wrapped data source: a refresh is not the application's
   *     work, and must not be cached, counted or invalidated as such)
   * @param idle whether the pool has an idle connection and no waiter
   */
  RefreshAhead(
      ResultCache cache,
      DataSource source,
      BooleanSupplier idle,
      int minHits,
      String name,
      long maximumBytes) {
    this.index =
        Caffeine.newBuilder()
            .maximumWeight(maximumBytes)
            .<ResultCache.KeyWrite, Recipe[]>weigher((k, recipes) -> weight(recipes))
            .executor(Runnable::run)
            .build();
    this.cache = cache;
    this.source = source;
    this.idle = idle;
    this.minHits = minHits;
    AtomicInteger n = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            THREADS,
            THREADS,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            r -> {
              Thread t = new Thread(r, "optimizer-db-refresh-" + name + "-" + n.incrementAndGet());
              t.setDaemon(true);
              threads.add(t);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
    executor.allowCoreThreadTimeOut(true);
  }

  void hooks(Hooks hooks) {
    this.hooks = hooks;
  }

  /** A hit on a result: counts towards its recipe's hits. */
  void hit(CachedResult result) {
    Recipe r = result.recipe;
    if (r != null) {
      r.hit(minHits);
    }
  }

  /**
   * A result of a read pinned to {@code keyValue} of {@code pin.table()} was stored: remember how
   * to re-run it, and count its hits from zero.
   */
  void stored(
      CachedResult result,
      CacheKey key,
      String sql,
      Object[] values,
      String[] tables,
      KeyPins.Pin pin,
      long keyValue) {
    if (tables.length != 1 || !tables[0].equals(pin.table())) {
      return; // a sub-query's tables would need their own versions in the recipe: keep it simple
    }
    Recipe[] chosen = new Recipe[1];
    index
        .asMap()
        .compute(
            new ResultCache.KeyWrite(pin.table(), keyValue),
            (k, recipes) -> {
              int n = recipes == null ? 0 : recipes.length;
              for (int i = 0; i < n; i++) {
                if (recipes[i].key.equals(key)) {
                  chosen[0] = recipes[i];
                  return recipes;
                }
              }
              if (n >= MAX_PER_KEY) {
                return recipes;
              }
              Recipe[] more = n == 0 ? new Recipe[1] : Arrays.copyOf(recipes, n + 1);
              more[n] = new Recipe(key, sql, values, tables, pin, keyValue, key.fingerprint());
              chosen[0] = more[n];
              return more;
            });
    Recipe r = chosen[0];
    if (r != null) {
      r.hits = 0;
      result.recipe = r;
    }
  }

  /**
   * The bytes an index entry holds: its recipes' cache keys (the statement text and the bound
   * values, shared with the stored result while it lives, but kept alive by the recipe after it).
   */
  private static int weight(Recipe[] recipes) {
    long w = ENTRY_BYTES;
    for (Recipe r : recipes) {
      w += RECIPE_BYTES + r.key.weight();
    }
    return (int) Math.min(Integer.MAX_VALUE, w);
  }

  /** Estimated bytes held by the index, after pending evictions. */
  long bytes() {
    index.cleanUp();
    return index.policy().eviction().orElseThrow().weightedSize().orElse(0);
  }

  /** The application committed writes to these keys: queue the hot results of each. */
  void written(Collection<ResultCache.KeyWrite> keys) {
    for (ResultCache.KeyWrite k : keys) {
      Recipe[] recipes = index.getIfPresent(k);
      if (recipes == null) {
        continue;
      }
      for (Recipe r : recipes) {
        if (r.hits >= minHits && r.queued.compareAndSet(false, true)) {
          try {
            queued.increment();
            executor.execute(() -> refresh(r));
          } catch (RejectedExecutionException e) {
            r.queued.set(false);
            dropped.increment();
            hooks.finished(r.key, Outcome.DROPPED);
          }
        }
      }
    }
  }

  /** Forgets every recipe (the schema may have changed). */
  void clear() {
    index.invalidateAll();
  }

  private void refresh(Recipe r) {
    // A write from now on queues another refresh: this one may read before it.
    r.queued.set(false);
    Hooks h = hooks;
    Outcome outcome = Outcome.FAILED;
    try {
      outcome = run(r, h);
    } catch (Throwable t) {
      outcome = Outcome.FAILED; // counted, never thrown: the application did not ask for this
    } finally {
      (outcome == Outcome.STORED ? stored : outcome == Outcome.DROPPED ? dropped : failed)
          .increment();
      h.finished(r.key, outcome);
    }
  }

  private Outcome run(Recipe r, Hooks h) throws Exception {
    if (cache.results == null || !idle.getAsBoolean() || !r.pin.equals(cache.knownPin(r.sql))) {
      return Outcome.DROPPED; // busy pool, or the statement's pin changed with the schema
    }
    if (reloaded(r)) {
      return Outcome.DROPPED; // a reader was quicker: no connection needed
    }
    try (Connection c = source.getConnection()) {
      ConnectionContext ctx = cache.context(ResultCache.physical(c));
      if (ctx == null) {
        ctx = ConnectionContext.read(c);
        cache.context(ResultCache.physical(c), ctx);
      }
      if (!r.key.context().equals(ctx)) {
        return Outcome.DROPPED; // another user or schema: its rows may differ
      }
      boolean autoCommit = c.getAutoCommit();
      if (!autoCommit) {
        c.rollback(); // so that the query's snapshot starts after the versions are read
      }
      Outcome outcome;
      try (PreparedStatement ps = c.prepareStatement(r.sql)) {
        for (int i = 0; i < r.values.length; i++) {
          ps.setObject(i + 1, r.values[i]);
        }
        long[] seen = versions(r);
        h.beforeQuery(r.key);
        CacheLoad load =
            new CacheLoad(
                cache,
                r.fingerprint,
                () -> {
                  h.afterQuery(r.key);
                  return versions(r);
                },
                seen,
                ps::executeQuery,
                null,
                cache.maxEntryBytes);
        // Through the store's single flight: readers that miss meanwhile wait for this load
        // rather than ask the database too, and a reader's load already under way answers instead.
        CachedResult result = reloaded(r) ? null : cache.results.get(r.key, k -> load.run());
        if (load.own instanceof ResultSet rs) {
          rs.close();
        }
        if (load.error != null) {
          outcome = Outcome.FAILED;
        } else if (result == null || !load.leader) {
          outcome = Outcome.DROPPED;
        } else {
          r.hits = 0;
          result.recipe = r;
          outcome = Outcome.STORED;
        }
      } finally {
        if (!autoCommit) {
          c.rollback();
        }
      }
      return outcome;
    }
  }

  /**
   * Whether the store already holds a current result (a reader reloaded it); a stale one is dropped
   * here, so that the refresh's load is not answered by it.
   */
  private boolean reloaded(Recipe r) {
    CachedResult current = cache.results.getIfPresentLocally(r.key);
    if (current == null) {
      return false;
    }
    if (current.fresh(versions(r))) {
      return true;
    }
    cache.results.invalidate(r.key);
    return false;
  }

  private long[] versions(Recipe r) {
    return cache.versions.snapshot(r.tables, r.pin.table(), r.keyValue);
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      // A refresh in a query ends with it; waiting bounds how long its thread outlives close().
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      if (executor.awaitTermination(5, TimeUnit.SECONDS)) {
        Thread[] made;
        synchronized (threads) {
          made = threads.toArray(new Thread[0]);
        }
        for (Thread t : made) {
          long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
          if (left <= 0) {
            break;
          }
          t.join(left);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
