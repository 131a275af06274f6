package dev.optimizer.db.advisor.internal;

import dev.optimizer.db.StatementStats;
import dev.optimizer.db.internal.DbIdentity;
import dev.optimizer.db.internal.StatementKey;
import dev.optimizer.db.internal.StatementTable;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The workload the advisor weighs: the statement table's fingerprints, heaviest total time first,
 * each with the executions the sampler kept. Fingerprints without a sample are counted but cannot
 * be EXPLAINed.
 */
public final class Workload {
  private final StatementTable table;
  private final WorkloadSampler sampler;
  private final DbIdentity identity;
  private final Function<String, StatementKey> fingerprints;

  /**
   * A workload view.
   *
   * @param identity what the database is, learned by {@link #learn}
   * @param fingerprints fingerprints that follow {@code identity}, to match pg_stat_statements
   *     texts
   */
  public Workload(
      StatementTable table,
      WorkloadSampler sampler,
      DbIdentity identity,
      Function<String, StatementKey> fingerprints) {
    this.table = table;
    this.sampler = sampler;
    this.identity = identity;
    this.fingerprints = fingerprints;
  }

  /**
   * Learns what the database is from the analysis' connection (once), so that texts are
   * fingerprinted in the dialect the wrapper learned from its own first connection.
   */
  public void learn(Connection connection) {
    identity.learn(connection);
  }

  /** The fingerprint id of a statement text. */
  public long fingerprint(String sql) {
    return fingerprints.apply(sql).id();
  }

  /** Up to {@code max} statements, heaviest first; those without samples have empty samples. */
  public List<WorkloadStatement> statements(int max) {
    List<WorkloadStatement> out = new ArrayList<>();
    for (StatementStats s : table.topByTotalTime(max)) {
      if (s.fingerprintId() == StatementTable.OVERFLOW_ID) {
        continue;
      }
      List<ExecutionSample> samples = sampler.samples(s.fingerprintId());
      // The statistics keep a text cut to StatementKey.MAX_STATISTICS_TEXT; the reports name the
      // statements they analyzed (those with samples) by the full text, which the sampler keeps.
      String full = samples.isEmpty() ? null : sampler.text(s.fingerprintId());
      out.add(
          new WorkloadStatement(
              s.fingerprintId(),
              full != null ? full : s.text(),
              s.calls(),
              s.totalNanos(),
              samples));
    }
    return out;
  }
}
