package dev.optimizer.db.internal.pool;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.optimizer.api.Knob;
import dev.optimizer.api.Objective;
import dev.optimizer.api.Ticker;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.signal.LatencySignal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Sizes a HikariCP pool at run time: a knob for {@code maximumPoolSize}, tuned by the runtime's
 * engine with judged trials from the pool's leases (time from asking for a connection to giving it
 * back, so that waiting for a connection counts) and their throughput.
 *
 * <p>The knob grows and shrinks within {@code [minSize, budget]} (a pool configured above the
 * budget is shrunk to it at the start); every value is also checked, when applied, against what the
 * server would still accept ({@link ServerConnectionLimit}), so that the pool never takes
 * connections that other clients hold or superusers need. Hikari creates connections lazily up to a
 * new maximum, but keeps surplus idle connections until its housekeeper runs (every 30 s); on a
 * shrink the pool's connections are soft-evicted so that the new maximum holds at once. Minimum
 * idle stays consistent: a fixed-size pool (minimum idle equal to the maximum, Hikari's default)
 * stays fixed-size; otherwise minimum idle never exceeds the maximum. Between equal performers the
 * smaller pool wins (it costs the server less).
 */
public final class HikariPoolSizer {
  private static final System.Logger LOG = System.getLogger("dev.optimizer.db.pool");
  private static final long LIMIT_REFRESH_NANOS = Duration.ofSeconds(10).toNanos();

  /** HikariCP's maximumPoolSize when none is set (HikariConfig.DEFAULT_POOL_SIZE, not public). */
  private static final int HIKARI_DEFAULT_MAX = 10;

  private final HikariDataSource hikari;
  private final Supplier<String> system;
  private final Ticker ticker;
  private final Knob<Integer> knob;
  private final LatencySignal signal;
  private final Optimizer optimizer;
  private final PoolDemand demand = new PoolDemand();
  private final boolean fixedSize;
  private final int configuredMinIdle;
  private volatile int serverAvailable = Integer.MAX_VALUE;
  private volatile long limitCheckedAt = Long.MIN_VALUE / 2;

  /**
   * The ticker reading of the last resize, and whether there was one. A lease that began before it
   * (waiting, or holding its connection) and ends after it measured the old size: its latency is
   * left out of the signal, or the first window after a resize would be judged on the waits of the
   * one before. A grown pool's trial would be blamed for the long waits queued behind the smaller
   * pool, and a shrunk pool's credited with the short waits of the larger one, which kept shrinks
   * that cost throughput and reverted growth that paid.
   */
  private volatile long resizedAt;

  private volatile boolean resized;

  private HikariPoolSizer(
      Optimizer optimizer,
      HikariDataSource hikari,
      Supplier<String> system,
      int minSize,
      int budget,
      Duration slice) {
    this.optimizer = optimizer;
    this.hikari = hikari;
    this.system = system;
    this.ticker = optimizer.ticker();
    String poolName = hikari.getPoolName(); // named by DbSystems.describe before sizing starts
    int initial = maxSize();
    // Remembered, not re-read on each resize: after a shrink below it, minimum idle equals the
    // maximum, which would make an elastic pool look fixed-size from then on.
    this.configuredMinIdle = minIdle(initial);
    this.fixedSize = configuredMinIdle >= initial;
    // The budget is a hard bound (a fleet's share of the server): a pool configured larger starts
    // at the budget rather than widening the knob's range past it.
    int high = budget;
    int start = Math.min(initial, budget);
    int low = Math.min(minSize, start);
    this.knob =
        Knob.ofInt("db.pool." + poolName + ".max_size", start)
            .range(low, high)
            // The controller bounds its own steps, by factors: from 4, +24 is a leap; from 96, a
            // nudge.
            .maxStep(Math.max(1, high - low))
            .description("maximum size of the HikariCP pool " + poolName)
            .onChange(this::resize)
            .build();
    this.signal = LatencySignal.builder("db.pool." + poolName).ticker(ticker).slice(slice).build();
    if (initial > budget) {
      LOG.log(
          System.Logger.Level.INFO,
          "pool {0}: maximumPoolSize {1} is above poolBudget {2}; shrinking the pool to {2}",
          poolName,
          initial,
          budget);
      resize(budget);
    }
  }

  /** Starts sizing a Hikari pool of a known system; see the other {@code start}. */
  public static HikariPoolSizer start(
      Optimizer optimizer,
      HikariDataSource hikari,
      String system,
      int minSize,
      int budget,
      Duration slice) {
    return start(optimizer, hikari, () -> system, minSize, budget, slice);
  }

  /**
   * Starts sizing a Hikari pool; the knob is registered with the optimizer's engine. The system
   * (whose server limit applies) is read when the limit is checked: a pool configured without a
   * JDBC URL is known for sure only once its first connection has said what it reaches.
   */
  public static HikariPoolSizer start(
      Optimizer optimizer,
      HikariDataSource hikari,
      Supplier<String> system,
      int minSize,
      int budget,
      Duration slice) {
    HikariPoolSizer sizer = new HikariPoolSizer(optimizer, hikari, system, minSize, budget, slice);
    optimizer
        .tune(sizer.knob, sizer.signal)
        .controller(new PoolSizeController(sizer::demand))
        .objective(
            Objective.maximizeThroughput()
                .withMaxErrorRate(0.05)
                .withPreference(Objective.Preference.LOWER))
        .start();
    return sizer;
  }

  /**
   * Stops sizing: the knob leaves the optimizer (a running trial is abandoned and the size it
   * replaced restored), so nothing resizes a pool whose wrapper was closed, and wrapping the pool
   * again registers a fresh knob.
   */
  public void close() {
    optimizer.unregister(knob.name());
  }

  /** The pool-size knob. */
  public Knob<Integer> knob() {
    return knob;
  }

  /** The signal the engine judges trials on. */
  public LatencySignal signal() {
    return signal;
  }

  /** Records a connection handed out. */
  public void leaseStarted() {
    HikariPoolMXBean pool = hikari.getHikariPoolMXBean();
    demand.leaseStarted(pool == null ? 0 : pool.getThreadsAwaitingConnection());
  }

  /** Records a completed lease: from asking for the connection to giving it back. */
  public void leaseCompleted(long nanos) {
    demand.leaseEnded();
    if (beganBeforeResize(nanos)) {
      signal.recordWithoutLatency(false);
    } else {
      signal.recordSuccess(nanos);
    }
  }

  private boolean beganBeforeResize(long nanos) {
    return resized && ticker.read() - nanos - resizedAt < 0;
  }

  /** What callers wanted since the controller last asked; null when too few leases to say. */
  PoolDemand.Sample demand() {
    return demand.take(maxSize());
  }

  /** Records a failed attempt to get a connection (a pool timeout). */
  public void leaseFailed(long nanos) {
    if (beganBeforeResize(nanos)) {
      signal.recordWithoutLatency(true);
    } else {
      signal.recordError(nanos);
    }
  }

  /**
   * Retires a connection just given back while the pool holds more than its maximum: Hikari itself
   * would keep the surplus of a fixed-size pool until its max lifetime, so a smaller maximum would
   * change nothing. Evicting a returned connection is Hikari's documented soft eviction; the one
   * evicted is idle, so no caller notices.
   */
  public void returned(Connection connection) {
    HikariPoolMXBean pool = hikari.getHikariPoolMXBean();
    if (pool != null && pool.getTotalConnections() > hikari.getMaximumPoolSize()) {
      hikari.evictConnection(connection);
    }
  }

  private void resize(int size) {
    int oldMax = maxSize();
    if (size == oldMax) {
      return;
    }
    if (size > oldMax) {
      // Only growth asks the server: a shrink gives connections back, whatever others now hold.
      int allowed = serverAvailable();
      if (size > allowed) {
        throw new IllegalStateException(
            knob.name()
                + " cannot grow to "
                + size
                + ": the server accepts only "
                + allowed
                + " connections from this pool");
      }
    }
    demand.restart();
    int minIdle = fixedSize ? size : Math.min(configuredMinIdle, size);
    if (size > oldMax) {
      hikari.setMaximumPoolSize(size);
      hikari.setMinimumIdle(minIdle);
    } else {
      hikari.setMinimumIdle(minIdle);
      hikari.setMaximumPoolSize(size);
      // Surplus connections are retired one by one as they come back (see returned()).
    }
    resizedAt = ticker.read();
    resized = true;
  }

  /**
   * The pool's maximum as it applies it: a pool that has not started yet (one that starts on first
   * use) still reports -1 for "Hikari's default", which its start turns into 10.
   */
  private int maxSize() {
    int max = hikari.getMaximumPoolSize();
    return max < 1 ? HIKARI_DEFAULT_MAX : max;
  }

  /** The pool's minimum idle as it applies it: unset or above the maximum means the maximum. */
  private int minIdle(int max) {
    int minIdle = hikari.getMinimumIdle();
    return minIdle < 0 || minIdle > max ? max : minIdle;
  }

  private int serverAvailable() {
    String system = this.system.get();
    if (!ServerConnectionLimit.hasLimit(system)) {
      return Integer.MAX_VALUE;
    }
    long now = ticker.read();
    if (now - limitCheckedAt < LIMIT_REFRESH_NANOS) {
      return serverAvailable;
    }
    limitCheckedAt = now;
    HikariPoolMXBean pool = hikari.getHikariPoolMXBean();
    int ours = pool == null ? 0 : pool.getTotalConnections();
    // A direct connection, not one from the pool: the pool is exhausted exactly when growing
    // matters, and borrowing from it would wait for its connection timeout.
    try (Connection c = directConnection()) {
      if (c != null) {
        OptionalInt available = ServerConnectionLimit.available(c, system, ours + 1);
        serverAvailable = available.orElse(Integer.MAX_VALUE);
      }
    } catch (SQLException e) {
      // The server refusing one more connection means it has none to spare for growth.
      LOG.log(System.Logger.Level.WARNING, "could not read the server's connection limit", e);
      serverAvailable = Math.min(serverAvailable, ours);
    }
    return serverAvailable;
  }

  /**
   * A connection made the way the pool makes its own (from its DataSource, with its credentials
   * when it has them, as Hikari does); null when that cannot be done here.
   */
  private Connection directConnection() throws SQLException {
    DataSource ds = hikari.getDataSource();
    if (ds == null && hikari.getDataSourceClassName() != null) {
      ds = pooledDataSource(hikari.getDataSourceClassName());
    }
    if (ds != null) {
      return hikari.getUsername() == null
          ? ds.getConnection()
          : ds.getConnection(hikari.getUsername(), hikari.getPassword());
    }
    if (hikari.getJdbcUrl() == null) {
      return null;
    }
    Properties props = new Properties();
    props.putAll(hikari.getDataSourceProperties());
    if (hikari.getUsername() != null) {
      props.setProperty("user", hikari.getUsername());
    }
    if (hikari.getPassword() != null) {
      props.setProperty("password", hikari.getPassword());
    }
    return DriverManager.getConnection(hikari.getJdbcUrl(), props);
  }

  /**
   * The driver DataSource a pool configured with {@code dataSourceClassName} made from that class
   * and its data source properties, as {@code unwrap} hands it out; null before the pool has
   * started (when its size matters it has) or when the class cannot be loaded here. Without it such
   * a pool was never checked against the server's limit.
   */
  private DataSource pooledDataSource(String className) {
    try {
      // Hikari loads it with its own class loader (or the thread's, in a container).
      Class<?> type;
      try {
        type = Class.forName(className, false, HikariDataSource.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        type = Class.forName(className, false, Thread.currentThread().getContextClassLoader());
      }
      return DataSource.class.isAssignableFrom(type) ? (DataSource) hikari.unwrap(type) : null;
    } catch (ClassNotFoundException | LinkageError | SQLException | RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "the pool's DataSource cannot be reached yet", e);
      return null;
    }
  }
}
