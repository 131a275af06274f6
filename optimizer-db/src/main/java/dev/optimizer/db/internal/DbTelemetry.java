package dev.optimizer.db.internal;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The OpenTelemetry database client instruments, with the semantic-convention names and attributes:
 * {@code db.client.operation.duration} and the {@code db.client.connection.*} family. Only
 * sanitized summaries reach attributes; never statement text with values, never parameters.
 */
public final class DbTelemetry implements AutoCloseable {
  static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("db.system.name");
  static final AttributeKey<String> OPERATION = AttributeKey.stringKey("db.operation.name");
  static final AttributeKey<String> COLLECTION = AttributeKey.stringKey("db.collection.name");
  static final AttributeKey<String> SUMMARY = AttributeKey.stringKey("db.query.summary");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> POOL = AttributeKey.stringKey("db.client.connection.pool.name");
  static final AttributeKey<String> STATE = AttributeKey.stringKey("db.client.connection.state");

  /** The {@code error.type} of a failure folded beyond the budget, as the conventions name it. */
  static final String OTHER_ERROR_TYPE = "_OTHER";

  /** The bucket boundaries the database semantic conventions recommend, in seconds. */
  private static final List<Double> DURATION_BUCKETS =
      List.of(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0);

  private final Supplier<String> system;
  private final String poolName;
  private final Meter meter;
  private final Attributes pool;
  private final DoubleHistogram operationDuration;
  private final DoubleHistogram waitTime;
  private final DoubleHistogram useTime;
  private final LongCounter timeouts;
  // Holds no more ids than the statement table does: the table's entries and its overflow's.
  private final ConcurrentHashMap<Long, Attributes> attributesByFingerprint =
      new ConcurrentHashMap<>();
  private final int maxCachedAttributes;
  private final OperationSeries series;
  private final List<AutoCloseable> observers = new ArrayList<>();

  /**
   * Instruments for one data source whose statements are counted in a {@link StatementTable} of
   * {@code maxFingerprints}; its {@code db.system.name} is read from {@code system} when a
   * statement's attributes are made, after the first connection has said what the database is (see
   * {@link DbIdentity}).
   */
  public DbTelemetry(Meter meter, Supplier<String> system, String poolName, int maxFingerprints) {
    this(
        meter,
        system,
        poolName,
        maxFingerprints,
        new OperationSeries(OperationSeries.DEFAULT_LIMIT));
  }

  /**
   * Instruments as above whose {@code db.client.operation.duration} attribute sets count towards
   * {@code series}, shared by the data sources of one DbOptimizer (they share the instrument).
   */
  public DbTelemetry(
      Meter meter,
      Supplier<String> system,
      String poolName,
      int maxFingerprints,
      OperationSeries series) {
    this.series = series;
    this.maxCachedAttributes = maxFingerprints + 1; // and the overflow entry
    this.system = system;
    this.poolName = poolName;
    this.meter = meter;
    this.pool = Attributes.of(POOL, poolName);
    this.operationDuration =
        meter
            .histogramBuilder("db.client.operation.duration")
            .setUnit("s")
            .setDescription("Duration of database client operations.")
            .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
            .build();
    this.waitTime =
        meter
            .histogramBuilder("db.client.connection.wait_time")
            .setUnit("s")
            .setDescription("The time it took to obtain an open connection from the pool.")
            .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
            .build();
    this.useTime =
        meter
            .histogramBuilder("db.client.connection.use_time")
            .setUnit("s")
            .setDescription("The time between borrowing a connection and returning it to the pool.")
            .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
            .build();
    this.timeouts =
        meter
            .counterBuilder("db.client.connection.timeouts")
            .setUnit("{timeout}")
            .setDescription(
                "The number of connection timeouts that have occurred trying to obtain a connection from the pool.")
            .build();
  }

  /** The pool's name, as in the {@code db.client.connection.pool.name} attribute. */
  String poolName() {
    return poolName;
  }

  /**
   * Runs {@code flush} at each metric collection, before the histograms are read: the SDK invokes
   * this meter's observable callbacks first, then collects its instruments. The observable records
   * nothing, so it exports nothing (the SDK drops metrics without points).
   */
  void beforeCollect(Runnable flush) {
    observers.add(
        meter
            .gaugeBuilder("optimizer.db.deferred_records")
            .setDescription(
                "Applies deferred database records before a collection; never exported.")
            .buildWithCallback(m -> flush.run()));
  }

  /**
   * The attributes of a statement's operations (without an error type), for the key of its
   * statistics entry: its own, or the overflow's beyond the table's capacity (whose summary is
   * {@code other}), so that the metric has no more attribute sets than the table has entries; and
   * the overflow's too once the DbOptimizer's {@link OperationSeries} budget is spent, so that it
   * has no more than the SDK keeps apart.
   *
   * <p>Kept per id, as many as the table holds. The table forgets its entries when it is reset, and
   * later statements take their places; this cache cannot tell which ids are gone, so when it is
   * full it is emptied, and the ids still in use are computed again as they next resolve (once per
   * statement slot, not per execution).
   */
  Attributes attributes(StatementKey key) {
    Attributes a = attributesByFingerprint.get(key.id());
    if (a == null) {
      if (attributesByFingerprint.size() >= maxCachedAttributes) {
        attributesByFingerprint.clear();
      }
      a = attributesByFingerprint.computeIfAbsent(key.id(), id -> admitted(key));
    }
    return a;
  }

  /**
   * A statement's attributes when the {@linkplain OperationSeries budget} admits them, else the
   * overflow entry's ({@code db.query.summary=other}), which is never counted: the folded sets are
   * one per system, and one more per system for errors (see {@link #operation}).
   */
  private Attributes admitted(StatementKey key) {
    Attributes a = attributesOf(key).build();
    if (key.id() == StatementTable.OVERFLOW_ID || series.admit(a)) {
      return a;
    }
    return other();
  }

  private Attributes other() {
    return attributesOf(StatementTable.overflowKey()).build();
  }

  /** How many statements' attributes are kept. */
  int cachedAttributes() {
    return attributesByFingerprint.size();
  }

  /**
   * Records one operation with the statement's {@linkplain #attributes(StatementKey) attributes}.
   */
  void operation(Attributes attributes, long nanos, Throwable error) {
    Attributes a = attributes;
    if (error != null) {
      String type = errorType(error);
      a = a.toBuilder().put(ERROR_TYPE, type).build();
      if (!series.admit(a)) {
        // Folded: under "other", with its error type while the budget has room for that, else
        // with the semantic conventions' "_OTHER" (one set per system).
        a = other().toBuilder().put(ERROR_TYPE, type).build();
        if (!series.admit(a)) {
          a = other().toBuilder().put(ERROR_TYPE, OTHER_ERROR_TYPE).build();
        }
      }
    }
    operationDuration.record(nanos / 1e9, a);
  }

  private AttributesBuilder attributesOf(StatementKey key) {
    AttributesBuilder b = Attributes.builder().put(SYSTEM, system.get());
    if (!key.operation().isEmpty()) {
      b.put(OPERATION, key.operation());
    }
    if (!key.collection().isEmpty()) {
      b.put(COLLECTION, key.collection());
    }
    if (!key.summary().isEmpty()) {
      b.put(SUMMARY, key.summary());
    }
    return b;
  }

  /** The SQLSTATE when there is one (a low-cardinality, standard code), else the class name. */
  static String errorType(Throwable error) {
    if (error instanceof SQLException sql && sql.getSQLState() != null) {
      return sql.getSQLState();
    }
    return error.getClass().getName();
  }

  void waited(long nanos) {
    waitTime.record(nanos / 1e9, pool);
  }

  void used(long nanos) {
    useTime.record(nanos / 1e9, pool);
  }

  void timedOut() {
    timeouts.add(1, pool);
  }

  /** Observes a pool's connection counts, limit and waiters. */
  void observePool(Meter meter, PoolView view) {
    Attributes idle = pool.toBuilder().put(STATE, "idle").build();
    Attributes used = pool.toBuilder().put(STATE, "used").build();
    observers.add(
        meter
            .upDownCounterBuilder("db.client.connection.count")
            .setUnit("{connection}")
            .setDescription(
                "The number of connections that are currently in state described by the state attribute.")
            .buildWithCallback(
                m -> {
                  m.record(view.idle(), idle);
                  m.record(view.used(), used);
                }));
    observers.add(
        meter
            .upDownCounterBuilder("db.client.connection.max")
            .setUnit("{connection}")
            .setDescription("The maximum number of open connections allowed.")
            .buildWithCallback(m -> m.record(view.max(), pool)));
    observers.add(
        meter
            .upDownCounterBuilder("db.client.connection.pending_requests")
            .setUnit("{request}")
            .setDescription("The number of current pending requests for an open connection.")
            .buildWithCallback(m -> m.record(view.pending(), pool)));
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable o : observers) {
      o.close();
    }
    observers.clear();
  }
}
