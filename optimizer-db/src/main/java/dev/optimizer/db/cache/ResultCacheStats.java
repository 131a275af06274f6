package dev.optimizer.db.cache;

/**
 * Counters of the JDBC result cache since it was built (summed over every wrapped DataSource of one
 * {@code DbOptimizer}).
 *
 * @param hits queries answered from the cache
 * @param misses candidate queries the cache could not answer and loaded from the database
 * @param bypasses candidate queries sent to the database without the cache (inside a transaction
 *     that has written, an opaque parameter, a connection in an unknown state, ...)
 * @param stores results stored
 * @param notStored loaded results not stored (too large, a column type the cache does not keep, a
 *     write committed while loading)
 * @param invalidations tables (or "everything") invalidated by the application's writes
 * @param evictions entries evicted to stay within the byte bound
 * @param bytes estimated bytes held now
 * @param remoteHits queries answered from the shared Redis tier (also counted in {@code hits})
 * @param remoteErrors Redis commands that failed or timed out (the cache then went on without
 *     Redis)
 * @param refreshes results reloaded in the background after a write to their row and stored
 *     (refresh-ahead; also counted in {@code stores})
 * @param refreshesDropped refreshes not run or not stored: the queue was full, the pool had no idle
 *     connection, a reader had reloaded the result first, the connection read as another user or
 *     schema, or a write raced the reload
 * @param refreshFailures refreshes that failed (the connection or the query threw)
 */
public record ResultCacheStats(
    long hits,
    long misses,
    long bypasses,
    long stores,
    long notStored,
    long invalidations,
    long evictions,
    long bytes,
    long remoteHits,
    long remoteErrors,
    long refreshes,
    long refreshesDropped,
    long refreshFailures) {

  /** Hits over hits plus misses; 0 before the first candidate query. */
  public double hitRate() {
    long total = hits + misses;
    return total == 0 ? 0 : (double) hits / total;
  }

  /** Adds two stats (of two data sources). */
  public ResultCacheStats plus(ResultCacheStats o) {
    return new ResultCacheStats(
        hits + o.hits,
        misses + o.misses,
        bypasses + o.bypasses,
        stores + o.stores,
        notStored + o.notStored,
        invalidations + o.invalidations,
        evictions + o.evictions,
        bytes + o.bytes,
        remoteHits + o.remoteHits,
        remoteErrors + o.remoteErrors,
        refreshes + o.refreshes,
        refreshesDropped + o.refreshesDropped,
        refreshFailures + o.refreshFailures);
  }
}
