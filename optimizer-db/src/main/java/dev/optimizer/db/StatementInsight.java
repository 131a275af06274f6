package dev.optimizer.db;

import dev.optimizer.db.internal.StatementTable;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * What the wrapped data sources of one {@link DbOptimizer} have executed: per-fingerprint
 * statistics like {@code pg_stat_statements}, and the N+1 loops found. Usable in a user's own tests
 * ("this request runs no N+1", "no statement slower than ...").
 */
public final class StatementInsight {
  private final StatementTable table;
  private final List<Supplier<List<NPlusOne>>> nPlusOneSources = new CopyOnWriteArrayList<>();

  StatementInsight(StatementTable table) {
    this.table = table;
  }

  void addNPlusOneSource(Supplier<List<NPlusOne>> source) {
    nPlusOneSources.add(source);
  }

  /** Forgets a source added by {@link #addNPlusOneSource} (a wrapper closed or failed to start). */
  void removeNPlusOneSource(Supplier<List<NPlusOne>> source) {
    nPlusOneSources.remove(source);
  }

  /** How many sources are held; for tests. */
  int nPlusOneSources() {
    return nPlusOneSources.size();
  }

  /** The {@code n} fingerprints with the largest total time, largest first. */
  public List<StatementStats> topByTotalTime(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be at least 1, but was " + n);
    }
    return table.topByTotalTime(n);
  }

  /** The statistics of one fingerprint, if it has run. */
  public Optional<StatementStats> stats(long fingerprintId) {
    return table.get(fingerprintId);
  }

  /**
   * Every N+1 loop found so far by the wrapped data sources not closed yet, oldest first within
   * each data source.
   */
  public List<NPlusOne> nPlusOnes() {
    return nPlusOneSources.stream().flatMap(s -> s.get().stream()).toList();
  }

  /**
   * Forgets the statistics and the executions sampled for the index advisor (N+1 findings stay:
   * they are also recommendations).
   */
  public void reset() {
    table.clear();
  }
}
