package dev.optimizer.db.advisor;

import dev.optimizer.db.advisor.internal.Candidate;
import dev.optimizer.db.advisor.internal.Probe;
import dev.optimizer.db.advisor.internal.TableInfo;
import dev.optimizer.db.advisor.internal.TableUse;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tables one analysis met, by schema and name: two schemas (MariaDB: databases) may each have a
 * table of the same name, and each statement's use of a table is the table its connection resolved
 * it to (its schema as written, or the search path's or the current database's).
 */
final class ProbeTables {
  private final Map<String, TableInfo> byQualified = new LinkedHashMap<>();
  private final Map<TableUse, TableInfo> byUse = new IdentityHashMap<>();

  /** {@code use}, of a statement's shape, is the table {@code t}. */
  void put(TableUse use, TableInfo t) {
    byQualified.put(t.qualified(), t);
    byUse.put(use, t);
  }

  /** The table a statement's use resolved to, or null when the catalog did not know it. */
  TableInfo of(TableUse use) {
    return byUse.get(use);
  }

  /** The table a candidate index is for, or null. */
  TableInfo of(Candidate candidate) {
    return byQualified.get(candidate.qualifiedTable());
  }

  /** Whether the probe's statement uses the table the candidate is for. */
  boolean touches(Probe p, Candidate candidate) {
    for (TableUse u : p.shape().tables()) {
      TableInfo t = byUse.get(u);
      if (t != null && t.qualified().equals(candidate.qualifiedTable())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The table of this probe that its plan names {@code table} (plans name tables without their
   * schema), or null.
   */
  TableInfo scanned(Probe p, String table) {
    for (TableUse u : p.shape().tables()) {
      TableInfo t = byUse.get(u);
      if (t != null && t.name().equals(table)) {
        return t;
      }
    }
    return null;
  }
}
