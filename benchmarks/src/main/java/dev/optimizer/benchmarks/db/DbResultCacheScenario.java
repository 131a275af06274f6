package dev.optimizer.benchmarks.db;

import com.zaxxer.hikari.HikariDataSource;
import dev.optimizer.api.Mode;
import dev.optimizer.benchmarks.Scenario;
import dev.optimizer.benchmarks.ScenarioResult;
import dev.optimizer.benchmarks.ScenarioResult.Target;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.cache.ResultCacheSettings;
import dev.optimizer.db.cache.ResultCacheStats;
import dev.optimizer.db.cache.ResultCacheTrialSettings;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.tuning.TuningSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import javax.sql.DataSource;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * db-result-cache: a read-heavy service on a real PostgreSQL, without and with the result cache. 32
 * threads; 95% of operations read one row by primary key, the key drawn from a Zipf distribution (s
 * = 0.99, as YCSB) over 20,000 rows; 5% increment a row's counter in an auto-commit UPDATE, the row
 * drawn uniformly. Each arm warms up, then is measured.
 *
 * <p>Stale reads are checked against the database: every UPDATE returns the row's new counter
 * ({@code RETURNING v}); once it has returned, the model's floor for that key is at least that
 * value, and a read that began after it must not return less. At the end, every key is read through
 * the cache and compared with the database directly.
 *
 * <p>{@code db-result-cache-auto} runs the same workload, but the cache is not given a rule: the
 * optimizer, in AUTO mode, has to find the query as a cache candidate and turn the cache on as a
 * judged trial ({@link ResultCacheTrialSettings}). Its optimized arm warms up until that trial is
 * decided (at most 60 s), then as usual; the time to the decision and the decision are reported.
 */
public final class DbResultCacheScenario implements Scenario {
  private static final int THREADS = 32;
  private static final int KEYS = 20_000;
  private static final double ZIPF_S = 0.99;
  private static final String READ = "SELECT id, title, price, v FROM items WHERE id = ?";
  private static final String WRITE = "UPDATE items SET v = v + 1 WHERE id = ? RETURNING v";
  private static final Duration MAX_TRIAL_WAIT = Duration.ofSeconds(60);

  private final boolean auto;

  /** The scenario with the cache selected by a rule. */
  public DbResultCacheScenario() {
    this(false);
  }

  /**
   * The scenario; with {@code auto}, the cache is found and turned on by AUTO mode's judged trials
   * instead of a rule.
   */
  public DbResultCacheScenario(boolean auto) {
    this.auto = auto;
  }

  @Override
  public String name() {
    return auto ? "db-result-cache-auto" : "db-result-cache";
  }

  @Override
  public String description() {
    return "JDBC result cache: 95% Zipf point reads / 5% auto-commit updates, 32 threads,"
        + " embedded PostgreSQL; throughput, read p95 and stale reads, without vs with the cache"
        + (auto ? " (found and enabled by AUTO mode's judged trials, no rule)" : "");
  }

  @Override
  public ScenarioResult run(boolean quick) throws Exception {
    ScenarioResult r = new ScenarioResult();
    Duration warm = Duration.ofSeconds(quick ? 5 : 15);
    Duration measure = Duration.ofSeconds(quick ? 20 : 60);
    double[] cdf = zipf(KEYS, ZIPF_S);
    int[] rank = shuffledKeys(KEYS);
    try (Postgres pg = new Postgres();
        HikariDataSource rawPool = pg.pool("baseline", THREADS);
        HikariDataSource cachedPool = pg.pool("cached", THREADS);
        Optimizer optimizer = optimizer(auto)) {
      pg.execute(
          "CREATE TABLE items (id int PRIMARY KEY, title text NOT NULL, price numeric(10,2),"
              + " v bigint NOT NULL)",
          "INSERT INTO items SELECT g, 'item number ' || g, (g % 1000) / 10.0, 0"
              + " FROM generate_series(1, "
              + KEYS
              + ") g",
          "VACUUM ANALYZE items");
      DbOptimizer.Builder builder = DbOptimizer.builder(optimizer).poolSizing(false);
      if (auto) {
        builder.resultCacheTrials(
            ResultCacheTrialSettings.builder()
                .maximumBytes(64L << 20)
                .timeToLive(Duration.ofMinutes(5))
                .build());
      } else {
        builder.resultCache(
            ResultCacheSettings.builder()
                .cacheTables("items")
                .refreshAhead(true) // hot rows written by the 5% of updates are reloaded at once
                .maximumBytes(64L << 20)
                .timeToLive(Duration.ofMinutes(5))
                .build());
      }
      DbOptimizer db = builder.build();
      DataSource cached = db.wrap(cachedPool);
      AtomicLongArray floor = new AtomicLongArray(KEYS + 1);

      Arm base = arm(rawPool, cdf, rank, floor, warm, measure, () -> true);
      long armStart = System.nanoTime();
      long[] decidedAt = {-1};
      Arm opt =
          arm(
              cached,
              cdf,
              rank,
              floor,
              warm,
              measure,
              () -> {
                if (!auto || decidedAt[0] >= 0) {
                  return true;
                }
                if (optimizer.decisions().stream()
                    .anyMatch(d -> d.knob().startsWith("db.result_cache."))) {
                  decidedAt[0] = System.nanoTime() - armStart;
                  return true;
                }
                return false;
              });
      long finalMismatches = compareAll(cached, rawPool);
      ResultCacheStats stats = db.resultCacheStats();

      report(r, true, base);
      report(r, false, opt);
      r.optimized("cache hit rate", round(stats.hitRate()));
      r.optimized("cache bytes", stats.bytes());
      r.ratio("throughput_ratio", opt.throughput / base.throughput, Target.atLeast(3));
      r.ratio("p95_ratio", opt.readP95 / base.readP95, Target.atMost(0.1));
      r.ratio("stale_reads", opt.stale + base.stale + finalMismatches, Target.atMost(0));
      r.ratio("p95_all_operations_ratio", opt.allP95 / base.allP95);
      r.note(
          "workload",
          THREADS
              + " threads, pools of 32 (one per thread), "
              + KEYS
              + " rows, reads Zipf(s="
              + ZIPF_S
              + ") by key, 5% writes (auto-commit UPDATE ... RETURNING) on uniform keys");
      r.note("p95_ratio", "p95 of reads (the cached operation); all operations in p95_all_...");
      r.note(
          "phases",
          "each arm: " + warm.toSeconds() + " s warm-up, " + measure.toSeconds() + " s measured");
      r.note("stale check", "reads vs committed floors from RETURNING; then all keys vs database");
      if (auto) {
        r.optimized(
            "seconds to the trial's decision",
            decidedAt[0] < 0
                ? "none within " + MAX_TRIAL_WAIT.toSeconds()
                : round(decidedAt[0] / 1e9));
        r.note(
            "trial decisions",
            optimizer.decisions().stream()
                .filter(d -> d.knob().startsWith("db.result_cache."))
                .map(dev.optimizer.api.Decision::summary)
                .toList());
        r.note(
            "tuning",
            "AUTO mode, engine on its scheduler: tick 250 ms, windows >= 3 s, settle 1 s;"
                + " trials: defaults (minHitRate 0.5, minReads 1000) but 64 MiB and 5 min TTL as the"
                + " rule arm; the optimized arm warms up until the trial is decided (<= 60 s)");
      }
    }
    return r;
  }

  /**
   * The rule arm's optimizer only observes (nothing to tune); the auto arm's tunes on its own
   * scheduler, with windows short enough for a quick run.
   */
  private static Optimizer optimizer(boolean auto) {
    if (!auto) {
      return Optimizer.builder().manualTuning().mode(Mode.OBSERVE).build();
    }
    return Optimizer.builder()
        .mode(Mode.AUTO)
        .tuning(
            TuningSettings.builder()
                .tickInterval(Duration.ofMillis(250))
                .minWindow(Duration.ofSeconds(3))
                .settle(Duration.ofSeconds(1))
                .build())
        .build();
  }

  private static void report(ScenarioResult r, boolean baseline, Arm a) {
    r.side(baseline, "operations/s", Math.round(a.throughput));
    r.side(baseline, "read p50 (us)", round(a.readP50));
    r.side(baseline, "read p95 (us)", round(a.readP95));
    r.side(baseline, "all operations p95 (us)", round(a.allP95));
    r.side(baseline, "write p95 (us)", round(a.writeP95));
    r.side(baseline, "stale reads", a.stale);
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  private record Arm(
      double throughput,
      double readP50,
      double readP95,
      double writeP95,
      double allP95,
      long stale) {}

  private static Arm arm(
      DataSource ds,
      double[] cdf,
      int[] rank,
      AtomicLongArray floor,
      Duration warm,
      Duration measure,
      java.util.function.BooleanSupplier ready)
      throws InterruptedException {
    ConcurrentHistogram reads = new ConcurrentHistogram(1, 60_000_000_000L, 2);
    ConcurrentHistogram writes = new ConcurrentHistogram(1, 60_000_000_000L, 2);
    ConcurrentHistogram all = new ConcurrentHistogram(1, 60_000_000_000L, 2);
    AtomicLong done = new AtomicLong();
    AtomicLong stale = new AtomicLong();
    AtomicBoolean measuring = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      long seed = 7919L * (t + 1);
      Thread th =
          new Thread(
              () -> {
                SplittableRandom random = new SplittableRandom(seed);
                while (!stop.get()) {
                  boolean write = random.nextInt(100) < 5;
                  int key = write ? 1 + random.nextInt(KEYS) : rank[sample(cdf, random)];
                  long t0 = System.nanoTime();
                  try {
                    if (write) {
                      floor.accumulateAndGet(key, write(ds, key), Math::max);
                    } else {
                      long before = floor.get(key);
                      if (read(ds, key) < before) {
                        stale.incrementAndGet();
                      }
                    }
                  } catch (Exception e) {
                    continue;
                  }
                  long nanos = System.nanoTime() - t0;
                  if (measuring.get()) {
                    (write ? writes : reads).recordValue(Math.min(nanos, 60_000_000_000L));
                    all.recordValue(Math.min(nanos, 60_000_000_000L));
                    done.incrementAndGet();
                  }
                }
              },
              "cache-load-" + t);
      th.setDaemon(true);
      threads.add(th);
      th.start();
    }
    long waitStart = System.nanoTime();
    while (!ready.getAsBoolean() && System.nanoTime() - waitStart < MAX_TRIAL_WAIT.toNanos()) {
      Thread.sleep(100);
    }
    Thread.sleep(warm.toMillis());
    measuring.set(true);
    long start = System.nanoTime();
    Thread.sleep(measure.toMillis());
    measuring.set(false);
    double seconds = (System.nanoTime() - start) / 1e9;
    stop.set(true);
    for (Thread th : threads) {
      th.join(30_000);
    }
    return new Arm(
        done.get() / seconds,
        us(reads, 50),
        us(reads, 95),
        us(writes, 95),
        us(all, 95),
        stale.get());
  }

  private static double us(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1e3;
  }

  private static long read(DataSource ds, int key) throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(READ)) {
      ps.setInt(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        rs.getString(2);
        rs.getBigDecimal(3);
        return rs.getLong(4);
      }
    }
  }

  private static long write(DataSource ds, int key) throws Exception {
    try (Connection c = ds.getConnection();
        PreparedStatement ps = c.prepareStatement(WRITE)) {
      ps.setInt(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** With no writes running: every key read through the cache equals the database. */
  private static long compareAll(DataSource cached, DataSource raw) throws Exception {
    long mismatches = 0;
    for (int key = 1; key <= KEYS; key++) {
      if (read(cached, key) != read(raw, key)) {
        mismatches++;
      }
    }
    return mismatches;
  }

  /** The cumulative distribution of Zipf(s) over ranks 1..n. */
  static double[] zipf(int n, double s) {
    double[] cdf = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += 1 / Math.pow(i + 1, s);
      cdf[i] = sum;
    }
    for (int i = 0; i < n; i++) {
      cdf[i] /= sum;
    }
    return cdf;
  }

  private static int sample(double[] cdf, SplittableRandom random) {
    double u = random.nextDouble();
    int lo = 0;
    int hi = cdf.length - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (cdf[mid] < u) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Rank → key, shuffled so that the hot keys are spread over the table. */
  private static int[] shuffledKeys(int n) {
    int[] keys = new int[n];
    for (int i = 0; i < n; i++) {
      keys[i] = i + 1;
    }
    SplittableRandom random = new SplittableRandom(42);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = keys[i];
      keys[i] = keys[j];
      keys[j] = t;
    }
    return keys;
  }
}
