package dev.optimizer.db.advisor.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.db.internal.DbIdentity;
import dev.optimizer.db.internal.DbSystems;
import dev.optimizer.db.internal.Fingerprints;
import dev.optimizer.db.internal.StatementKey;
import dev.optimizer.db.internal.StatementTable;
import dev.optimizer.db.internal.sql.SqlDialect;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** What the index advisor reads of the statement table and the sampler. */
class WorkloadTest {
  private static String wideSelect(String table) {
    StringBuilder sql = new StringBuilder("SELECT c0");
    for (int i = 1; i < 1000; i++) {
      sql.append(", c").append(i);
    }
    return sql.append(" FROM ").append(table).append(" WHERE id = ?").toString();
  }

  @Test
  void aSampledStatementIsReportedByItsFullTextThoughTheStatisticsKeepACutOne() {
    Function<String, StatementKey> fingerprints =
        Fingerprints.forDialect(SqlDialect.POSTGRESQL, 65536);
    DbIdentity identity =
        DbIdentity.of(new DbSystems.Description("postgresql", SqlDialect.POSTGRESQL, "p", true));
    StatementTable table = new StatementTable(10);
    WorkloadSampler sampler = new WorkloadSampler(2, 10, 65536);
    Workload workload = new Workload(table, sampler, identity, fingerprints);
    String sampledSql = wideSelect("orders");
    String unsampledSql = wideSelect("invoices");
    StatementKey sampled = fingerprints.apply(sampledSql);
    StatementKey unsampled = fingerprints.apply(unsampledSql);
    assertThat(sampled.text().length()).isGreaterThan(StatementKey.MAX_STATISTICS_TEXT);

    table.record(sampled, 2_000, 1, false);
    sampler.executed(sampled, sampledSql, null, 2_000);
    table.record(unsampled, 1_000, 1, false);

    List<WorkloadStatement> statements = workload.statements(10);
    assertThat(statements)
        .extracting(WorkloadStatement::fingerprintId)
        .containsExactly(sampled.id(), unsampled.id());
    // The advisor analyzes (and its reports name) the sampled one: by its full text, as before.
    assertThat(statements.get(0).text()).isEqualTo(sampled.text());
    assertThat(statements.get(0).samples())
        .extracting(ExecutionSample::sql)
        .containsExactly(sampledSql);
    // One without samples is only weighed: the statistics' cut text.
    assertThat(statements.get(1).text())
        .isEqualTo(table.get(unsampled.id()).orElseThrow().text())
        .hasSize(StatementKey.MAX_STATISTICS_TEXT + StatementKey.TRUNCATION_MARK.length());
  }
}
