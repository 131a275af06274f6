package dev.optimizer.db.advisor.internal;

import java.util.List;

/**
 * An index that exists.
 *
 * @param schema its schema
 * @param name its name
 * @param table its table
 * @param keyColumns its key columns in order; empty for an expression index
 * @param unique whether unique (or a primary key)
 * @param primary whether the primary key
 * @param valid whether usable (an interrupted concurrent build leaves it invalid)
 * @param plain a B-tree on plain columns without a predicate: the only kind a prefix can stand for
 * @param bytes its size
 * @param scans index scans since statistics were reset; -1 when unknown
 */
public record ExistingIndex(
    String schema,
    String name,
    String table,
    List<String> keyColumns,
    boolean unique,
    boolean primary,
    boolean valid,
    boolean plain,
    long bytes,
    long scans) {

  /** Whether this index's key starts with the given columns (so it serves lookups on them). */
  public boolean startsWith(List<String> columns) {
    return plain
        && valid
        && columns.size() <= keyColumns.size()
        && keyColumns.subList(0, columns.size()).equals(columns);
  }
}
