package dev.optimizer.db.advisor;

import java.util.List;

/**
 * An existing index worth a look: unused, duplicate (its key is a prefix of another index's) or
 * invalid (left by an interrupted concurrent build).
 *
 * @param kind {@code unused}, {@code duplicate} or {@code invalid}
 * @param schema its schema
 * @param table its table
 * @param name its name
 * @param keyColumns its key columns
 * @param bytes its size
 * @param scans index scans counted by the server; -1 when unknown
 * @param reason one sentence
 */
public record ExistingIndexFinding(
    String kind,
    String schema,
    String table,
    String name,
    List<String> keyColumns,
    long bytes,
    long scans,
    String reason) {
  /** Copies the list. */
  public ExistingIndexFinding {
    keyColumns = List.copyOf(keyColumns);
  }
}
