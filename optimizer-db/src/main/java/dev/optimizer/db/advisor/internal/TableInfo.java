package dev.optimizer.db.advisor.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the catalog says of one table.
 *
 * @param schema its schema
 * @param name its name
 * @param rows the planner's row estimate
 * @param bytes its heap size
 * @param columns its column names
 * @param indexes its indexes
 * @param stats per-column statistics from {@code pg_stats}; empty when never analyzed
 */
public record TableInfo(
    String schema,
    String name,
    double rows,
    long bytes,
    Set<String> columns,
    List<ExistingIndex> indexes,
    Map<String, ColumnStats> stats) {

  /**
   * One column's statistics.
   *
   * @param distinct estimated distinct values (absolute)
   * @param topFrequency the frequency of its most common value, 0 when none is listed
   */
  public record ColumnStats(double distinct, double topFrequency) {}

  /** {@code "schema"."name"}. */
  public String qualified() {
    return Identifiers.qualified(schema, name);
  }
}
