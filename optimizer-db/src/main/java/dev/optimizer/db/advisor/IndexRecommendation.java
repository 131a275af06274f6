package dev.optimizer.db.advisor;

import java.util.List;

/**
 * An index the advisor recommends.
 *
 * @param indexName the name it would have (prefix {@code opt_})
 * @param schema the table's schema
 * @param table the table
 * @param keyColumns key columns in order
 * @param includeColumns covering columns (INCLUDE); empty for none
 * @param ddl {@code CREATE INDEX CONCURRENTLY ...}, identifiers quoted
 * @param estimatedBytes its estimated size
 * @param estimatedGain the share of the gaining statements' time it is expected to save, in [0, 1]
 * @param statements the statements that gain
 */
public record IndexRecommendation(
    String indexName,
    String schema,
    String table,
    List<String> keyColumns,
    List<String> includeColumns,
    String ddl,
    long estimatedBytes,
    double estimatedGain,
    List<StatementGain> statements) {
  /** Copies the lists. */
  public IndexRecommendation {
    keyColumns = List.copyOf(keyColumns);
    includeColumns = List.copyOf(includeColumns);
    statements = List.copyOf(statements);
  }
}
