package dev.optimizer.db.cache.internal;

import dev.optimizer.db.cache.internal.StatementTables.Kind;
import dev.optimizer.db.internal.BoundParameters;
import dev.optimizer.db.internal.StatementKey;
import dev.optimizer.runtime.cache.TieredCache;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The result cache as one connection lease sees it: serves and loads queries, and holds the
 * transaction's writes until they commit.
 *
 * <ul>
 *   <li>An auto-commit write invalidates its tables once the driver returns; a transactional one
 *       when {@code commit} (or {@code setAutoCommit(true)}, or SQL {@code COMMIT}) returns; a
 *       rollback discards them. Whatever we cannot tell ends as an invalidation, never as none.
 *   <li>Once the transaction has written, its reads bypass the cache (they must see its own
 *       uncommitted writes).
 *   <li>A read in a transaction uses the cache only when the isolation level is at most READ
 *       COMMITTED: a snapshot older than the statement could store old rows under new table
 *       versions, and a row cached after the snapshot was taken is newer than what REPEATABLE READ
 *       or SERIALIZABLE must return.
 * </ul>
 *
 * <p>The transaction's books are a {@link LeaseTransaction}'s. Used by one thread at a time, like
 * its connection. Every failure of ours ends in the plain delegate call.
 */
public final class LeaseCache {
  private static final Object[] NO_PARAMETERS = new Object[0];

  /** Session digests that could not be taken before the cache stops asking for a reference. */
  private static final int MAX_DIGEST_FAILURES = 3;

  private final ResultCache cache;
  private final Connection connection;
  private final LeaseTransaction transaction;
  private ConnectionContext context;
  private boolean contextChanged;
  private boolean sessionMarkedUnknown; // this lease marked its connection SESSION_UNKNOWN

  LeaseCache(ResultCache cache, Connection connection) {
    this.cache = cache;
    this.connection = connection;
    this.transaction = new LeaseTransaction(cache, connection);
  }

  // --- statements ---

  /**
   * Runs one statement execution: from the cache when it may, else through {@code call}, keeping
   * the invalidation books either way.
   *
   * @param method the JDBC method ({@code executeQuery}, {@code executeUpdate}, ...)
   * @param sql the statement's exact text
   * @param parameters the bound values of a prepared statement, null for a plain one
   * @param plainParameters false when a value was bound with a calendar or a scale
   */
  public Object execute(
      Statement statement,
      String method,
      StatementKey key,
      String sql,
      BoundParameters parameters,
      boolean plainParameters,
      SqlCall call)
      throws Throwable {
    StatementTables tables;
    try {
      tables = cache.analyze(key);
    } catch (RuntimeException e) {
      tables = StatementTables.of(Kind.WRITE_ALL, "could not be analysed");
    }
    switch (tables.kind()) {
      case READ:
        if (!method.equals("executeQuery")) {
          return call.call();
        }
        return read(statement, key, sql, parameters, plainParameters, tables, call);
      case WRITE:
      case WRITE_ALL:
        return write(key, tables, sql, parameters, call);
      case SESSION:
        sessionEffects(tables.kind());
        return call.call();
      case WRITE_ALL_SESSION:
      case WRITE_ALL_MAYBE_SESSION:
      case SEVERAL:
        sessionEffects(tables.kind());
        return write(key, tables, sql, parameters, call);
      case BEGIN:
        return transaction.begin(sql, call);
      case COMMIT:
        return transaction.sqlCommit(call);
      case ROLLBACK:
        return transaction.sqlRollback(call);
      default:
        return call.call();
    }
  }

  /**
   * What a statement of {@code kind} does to the lease besides its writes: one that changes the
   * session leaves the connection out of the cache; one that runs code the cache cannot read leaves
   * it out until its session is seen unchanged; several statements in one string may also have
   * begun or ended a transaction the lease can no longer follow.
   */
  private void sessionEffects(Kind kind) {
    if (kind == Kind.SESSION || kind == Kind.WRITE_ALL_SESSION || kind == Kind.SEVERAL) {
      taint();
    } else if (kind == Kind.WRITE_ALL_MAYBE_SESSION) {
      sessionUnknown();
    }
    if (kind == Kind.SEVERAL) {
      transaction.stateUnknown();
    }
  }

  /**
   * A batch: a write of the fingerprint's tables, or of everything when {@code key} is null.
   *
   * @param key the prepared statement's key, or null for a plain statement's batch
   * @param statements the keys of a plain statement's batch ({@code addBatch(String)}), a null key
   *     for a statement that could not be read; null when there are none
   */
  public Object executeBatch(StatementKey key, List<StatementKey> statements, SqlCall call)
      throws Throwable {
    if (statements != null) {
      for (StatementKey k : statements) {
        Kind kind = k == null ? Kind.WRITE_ALL_MAYBE_SESSION : analyzeSafe(k).kind();
        sessionEffects(kind);
        if (kind == Kind.BEGIN || kind == Kind.COMMIT || kind == Kind.ROLLBACK) {
          transaction.stateUnknown(); // the lease cannot tell where in the batch it ran
        }
      }
    }
    StatementTables tables =
        key == null
            ? StatementTables.of(Kind.WRITE_ALL, "a batch of statements")
            : analyzeSafe(key);
    sessionEffects(tables.kind());
    if (tables.kind() != Kind.WRITE) {
      tables = StatementTables.of(Kind.WRITE_ALL, "a batch");
    }
    return write(key, tables, null, null, call);
  }

  /**
   * A statement the cache cannot see into (run while the optimizer is off, or without a
   * fingerprint): it may have written anything, and changed the session (a SET run while the
   * optimizer was off must not be forgotten when it is on again). Marking the connection costs a
   * map write, once per lease.
   */
  public Object unseen(SqlCall call) throws Throwable {
    if (!sessionMarkedUnknown) {
      sessionUnknown();
    }
    return write(null, StatementTables.of(Kind.WRITE_ALL, "unseen"), null, null, call);
  }

  private StatementTables analyzeSafe(StatementKey key) {
    try {
      return cache.analyze(key);
    } catch (RuntimeException e) {
      return StatementTables.of(Kind.WRITE_ALL, "could not be analysed");
    }
  }

  private Object write(
      StatementKey key,
      StatementTables tables,
      String sql,
      BoundParameters parameters,
      SqlCall call)
      throws Throwable {
    Set<String> affected = new HashSet<>();
    Set<ResultCache.KeyWrite> keys = new HashSet<>();
    boolean all = tables.kind() != Kind.WRITE;
    if (tables.temporaryTable() != null) {
      cache.temporaryTables.add(tables.temporaryTable());
    }
    if (all && key != null && isDdl(key.operation())) {
      cache.schemaMayHaveChanged();
    }
    if (!all) {
      KeyPins.Pin pin = null;
      Long value = null;
      if (parameters != null && tables.tables().size() == 1) {
        pin = cache.pin(sql, t -> describe(t).keyColumn());
        value = pin == null ? null : pin.value(parameters.snapshot());
      }
      for (String t : tables.tables()) {
        TableCatalog.Table info = describe(t);
        if (!info.base() || info.triggers() || info.alsoWritten().isEmpty()) {
          // A view, an inheritance parent or child, or what the catalog cannot tell: the rows
          // written are another relation's too, which no table name here says.
          all = true;
          break;
        }
        for (String w : info.alsoWritten()) {
          if (w.equals(t) && value != null && t.equals(pin.table()) && !info.selfCascade()) {
            keys.add(new ResultCache.KeyWrite(t, value));
          } else {
            affected.add(w);
          }
        }
      }
    }
    return transaction.write(affected, keys, all, call);
  }

  private static boolean isDdl(String operation) {
    String op = operation.toUpperCase(Locale.ROOT);
    return op.startsWith("CREATE")
        || op.startsWith("ALTER")
        || op.startsWith("DROP")
        || op.startsWith("RENAME")
        || op.isEmpty();
  }

  private Object read(
      Statement statement,
      StatementKey key,
      String sql,
      BoundParameters parameters,
      boolean plainParameters,
      StatementTables tables,
      SqlCall call)
      throws Throwable {
    if (tables.notCacheable() != null || !cache.serving()) {
      return call.call();
    }
    if (cache.selectsByRule(key.text(), tables.tables())) {
      return cached(
          statement, key, sql, parameters, plainParameters, tables, call, cache.results, null);
    }
    CacheTrial trial = cache.trials == null ? null : cache.trials.trial(key.id());
    if (trial == null) {
      return call.call();
    }
    if (!trial.measuring()) {
      return trial.serving()
          ? cached(statement, key, sql, parameters, plainParameters, tables, call, null, trial)
          : call.call();
    }
    // Under trial: the judge compares this query's latency with the cache off and on, as the
    // application waited for it (a hit, a miss that loads and stores, or the plain query).
    long start = cache.optimizer.ticker().read();
    boolean failed = true;
    try {
      Object result =
          trial.serving()
              ? cached(statement, key, sql, parameters, plainParameters, tables, call, null, trial)
              : call.call();
      failed = false;
      return result;
    } finally {
      trial.record(cache.optimizer.ticker().read() - start, failed);
    }
  }

  /**
   * A read the cache may answer: from {@code store} (the rule-based results) or, for a trialled
   * query ({@code trial} not null), from the trials' store, where each answer also counts towards
   * the trial's observed hit rate.
   */
  private Object cached(
      Statement statement,
      StatementKey key,
      String sql,
      BoundParameters parameters,
      boolean plainParameters,
      StatementTables tables,
      SqlCall call,
      TieredCache<CacheKey, CachedResult> store,
      CacheTrial trial)
      throws Throwable {
    boolean measured = trial != null && trial.measuring();
    boolean hit = false;
    try {
      Object r =
          serve(statement, key, sql, parameters, plainParameters, tables, call, store, trial);
      hit = r instanceof Served;
      return hit ? ((Served) r).resultSet : r;
    } finally {
      if (measured) {
        trial.lookup(hit);
      }
    }
  }

  /**
   * Whether {@code rs}, returned by {@link #execute}, is the cache's (a hit, or a miss whose rows
   * it read) rather than the driver's: the statement's wrapper then answers {@code getResultSet()}
   * and the like itself, as the driver's statement does not hold it.
   */
  public static boolean answered(ResultSet rs) {
    return rs instanceof CachedResultSetBase;
  }

  /** A result answered from the cache, told apart from the database's answer. */
  private record Served(ResultSet resultSet) {}

  private Object serve(
      Statement statement,
      StatementKey key,
      String sql,
      BoundParameters parameters,
      boolean plainParameters,
      StatementTables tables,
      SqlCall call,
      TieredCache<CacheKey, CachedResult> rulesStore,
      CacheTrial trial)
      throws Throwable {
    TieredCache<CacheKey, CachedResult> store = trial != null ? cache.trials.store : rulesStore;
    int maxEntryBytes = trial != null ? cache.trials.maxEntryBytes : cache.maxEntryBytes;
    Object[] values;
    ConnectionContext ctx;
    String[] names;
    try {
      if (transaction.wrote()
          || transaction.open() && !transaction.readCommitted()
          || !plainParameters
          || cache.unkeepable(key.id())
          || !simple(statement)) {
        cache.bypasses.increment();
        return call.call();
      }
      values = parameters == null ? NO_PARAMETERS : parameters.snapshot();
      ctx = context();
      names = tables.tables().toArray(new String[0]);
      if (values == null
          || ctx == null
          || ctx == ResultCache.TAINTED
          || !watchable(names)
          || !keyable(values)) {
        cache.bypasses.increment();
        return call.call();
      }
    } catch (SQLException | RuntimeException e) {
      cache.bypasses.increment();
      return call.call();
    }
    final Object[] pinned = parameters != null ? values : null;
    final String[] read = names;
    long[] seen;
    try {
      seen = versions(sql, pinned, read);
    } catch (RuntimeException e) {
      cache.bypasses.increment();
      return call.call();
    }
    CacheKey cacheKey = new CacheKey(key.id(), sql, values, ctx);
    CachedResult hit = store.getIfPresent(cacheKey);
    if (hit != null) {
      if (hit.fresh(seen)) {
        cache.hits.increment();
        RefreshAhead refresher = cache.refresher;
        if (refresher != null) {
          refresher.hit(hit);
        }
        return new Served(CachedResultSet.open(hit));
      }
      store.invalidate(cacheKey);
    }
    cache.misses.increment();
    CacheLoad load =
        new CacheLoad(
            cache,
            key.id(),
            () -> versions(sql, pinned, read),
            seen,
            call,
            trial != null ? null : remote(sql, values, ctx, read),
            maxEntryBytes);
    load.keepDriverOpen = closesOnCompletion(statement);
    CachedResult shared = store.get(cacheKey, k -> load.run());
    if (load.leader) {
      if (load.error != null) {
        throw load.error;
      }
      if (shared != null && trial == null && pinned != null) {
        refreshable(shared, cacheKey, sql, values, read);
      }
      return load.own;
    }
    if (shared != null && shared.fresh(seen)) {
      return new Served(CachedResultSet.open(shared));
    }
    return call.call(); // the load we waited for cannot answer us: ask the database ourselves
  }

  /** A result of a read was stored: when it is pinned to one key, it may be refreshed ahead. */
  private void refreshable(
      CachedResult result, CacheKey cacheKey, String sql, Object[] values, String[] names) {
    RefreshAhead refresher = cache.refresher;
    if (refresher == null || names.length != 1) {
      return;
    }
    try {
      KeyPins.Pin pin = cache.knownPin(sql);
      Long key = pin == null ? null : pin.value(values);
      if (key != null) {
        refresher.stored(result, cacheKey, sql, values, names, pin, key);
      }
    } catch (RuntimeException e) {
      // Refresh-ahead is an extra: the read itself is answered already.
    }
  }

  /** Where the result lives in Redis, or null without a remote tier or a stable key. */
  private CacheLoad.Remote remote(
      String sql, Object[] values, ConnectionContext ctx, String[] names) {
    if (cache.remote == null) {
      return null;
    }
    try {
      byte[] digest = ResultCodec.digest(sql, values, ctx);
      if (digest == null) {
        return null;
      }
      String[] sorted = names.clone();
      java.util.Arrays.sort(sorted);
      return new CacheLoad.Remote(digest, sorted);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The versions a read depends on: per key when its statement is pinned to one key. */
  private long[] versions(String sql, Object[] values, String[] names) {
    if (values != null && names.length >= 1) {
      KeyPins.Pin pin = cache.pin(sql, t -> describe(t).keyColumn());
      Long key = pin == null ? null : pin.value(values);
      if (key != null) {
        return cache.versions.snapshot(names, pin.table(), key);
      }
    }
    return cache.versions.snapshot(names);
  }

  /**
   * Whether the bound values can find a stored result again: a {@code java.sql.Array} bound with
   * {@code setArray} equals only itself, so a result stored under it is never read (a Java array
   * bound with {@code setObject} is compared by its elements).
   */
  private static boolean keyable(Object[] values) {
    for (Object v : values) {
      if (v instanceof java.sql.Array) {
        return false;
      }
    }
    return true;
  }

  private static boolean closesOnCompletion(Statement statement) {
    try {
      return statement.isCloseOnCompletion();
    } catch (SQLException | RuntimeException e) {
      return false; // a closed statement: the query fails as it would have
    }
  }

  /** No row limit, no field size limit (the driver cuts long values), forward-only, read-only. */
  private static boolean simple(Statement statement) throws SQLException {
    return statement.getMaxRows() == 0
        && statement.getMaxFieldSize() == 0
        && statement.getResultSetType() == ResultSet.TYPE_FORWARD_ONLY
        && statement.getResultSetConcurrency() == ResultSet.CONCUR_READ_ONLY;
  }

  private boolean watchable(String[] names) {
    for (String t : names) {
      if (cache.temporaryTables.contains(t) || !describe(t).readable()) {
        return false;
      }
    }
    return true;
  }

  // --- what the database says about a table ---

  private TableCatalog.Table describe(String table) {
    return cache.catalog.describe(table, connection, transaction.open());
  }

  // --- the connection's state ---

  /**
   * Who the connection reads as: {@link ResultCache#TAINTED} when its session changed, or null when
   * it may have and cannot be compared now (in a transaction).
   */
  private ConnectionContext context() throws SQLException {
    if (context != null) {
      return context;
    }
    Object physical = physical();
    ConnectionContext known = cache.context(physical);
    if (known == ResultCache.SESSION_UNKNOWN) {
      return sessionSeenUnchanged(physical);
    }
    if (known != null && (!contextChanged || known == ResultCache.TAINTED)) {
      context = known;
      if (known != ResultCache.TAINTED) {
        offerReference(known);
      }
      return known;
    }
    ConnectionContext read = ConnectionContext.read(connection);
    if (!contextChanged) {
      cache.context(physical, read);
      offerReference(read);
    }
    context = read;
    return read;
  }

  /**
   * Takes this untouched connection's session digest as its context's reference, the one that
   * connections which ran code the cache cannot read are compared with, if there is none yet. Not
   * only when the context is first read: that may have been in a transaction (where no digest is
   * taken), as in an application whose every read runs in one, and the reference would then never
   * come. After a few digests that could not be taken, the reference is one that matches nothing,
   * so a database that refuses the digest query is not asked it again on every lease.
   */
  private void offerReference(ConnectionContext read) {
    if (!SessionState.comparable(read) || cache.sessionDigest(read) != null || transaction.open()) {
      return;
    }
    String digest;
    try {
      digest = SessionState.digest(connection);
    } catch (SQLException | RuntimeException e) {
      digest = null;
    }
    if (digest != null) {
      cache.sessionDigest(read, digest);
    } else if (cache.sessionDigestFailures.incrementAndGet() >= MAX_DIGEST_FAILURES) {
      cache.sessionDigest(read, SessionState.UNAVAILABLE);
    }
  }

  /**
   * The context of a connection that ran code the cache cannot read, once its session is the same
   * as an untouched connection's of the same context; tainted for good when it differs or cannot be
   * compared; null (not cached for now) while a transaction is open.
   */
  private ConnectionContext sessionSeenUnchanged(Object physical) throws SQLException {
    if (transaction.open()) {
      return null;
    }
    ConnectionContext read;
    boolean same;
    try {
      read = ConnectionContext.read(connection);
      String expected = contextChanged ? null : cache.sessionDigest(read);
      if (expected == null && !contextChanged && SessionState.comparable(read)) {
        // No untouched connection of this context has been seen outside a transaction yet: not
        // for now, compared again on a later lease, rather than left out for good.
        return null;
      }
      same =
          expected != null
              && SessionState.comparable(read)
              && expected.equals(SessionState.digest(connection));
    } catch (SQLException | RuntimeException e) {
      read = null;
      same = false;
    }
    if (!same) {
      taint();
      return ResultCache.TAINTED;
    }
    cache.context(physical, read);
    context = read;
    sessionMarkedUnknown = false;
    return read;
  }

  private Object physical() {
    return ResultCache.physical(connection);
  }

  /**
   * A SET, a RESET or a {@code set_config}: this physical connection may now read differently (its
   * search path, role or settings); leave it out for good.
   */
  private void taint() {
    context = ResultCache.TAINTED;
    cache.context(physical(), ResultCache.TAINTED);
  }

  /**
   * Code the cache cannot read ran (a function of the application, a procedure): it may have
   * changed the session. The connection is left out until {@link #context()} sees its session
   * unchanged ({@link SessionState}); a tainted one stays tainted.
   */
  private void sessionUnknown() {
    sessionMarkedUnknown = true;
    if (context == ResultCache.TAINTED) {
      return;
    }
    Object physical = physical();
    if (cache.context(physical) != ResultCache.TAINTED) {
      cache.context(physical, ResultCache.SESSION_UNKNOWN);
    }
    context = null;
  }

  // --- connection methods ---

  /** Runs a connection method, keeping the books of commits, rollbacks and session changes. */
  public Object connectionCall(String name, Object[] args, SqlCall call) throws Throwable {
    if (name.equals("setSchema") || name.equals("setCatalog")) {
      contextChanged = true;
      context = context == ResultCache.TAINTED ? context : null;
      return call.call();
    }
    return transaction.connectionCall(name, args, call);
  }

  /** The lease ends: writes still pending (a pool may commit or roll back) are invalidated. */
  public void closed() {
    transaction.closed();
  }
}
