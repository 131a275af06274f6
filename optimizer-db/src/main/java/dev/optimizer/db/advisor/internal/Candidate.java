package dev.optimizer.db.advisor.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A possible index: key columns in order (equality columns before a range or sort column) and
 * covering columns stored in the leaf (INCLUDE) so that a statement can skip the table.
 *
 * @param schema the table's schema
 * @param table the table
 * @param key key columns, in order
 * @param include covering columns; empty for none
 */
public record Candidate(String schema, String table, List<String> key, List<String> include) {
  /** Copies the lists. */
  public Candidate {
    key = List.copyOf(key);
    include = List.copyOf(include);
  }

  /** {@code "schema"."table"}: the table, told apart from a table of that name elsewhere. */
  public String qualifiedTable() {
    return Identifiers.qualified(schema, table);
  }

  /** The name the advisor gives its indexes: {@code opt_} so that its own are recognizable. */
  public String indexName() {
    List<String> parts = new ArrayList<>();
    parts.add("opt");
    parts.add(table);
    parts.addAll(key);
    if (!include.isEmpty()) {
      parts.add("incl");
    }
    String name = String.join("_", parts).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    if (name.getBytes(StandardCharsets.UTF_8).length > 50) {
      name = name.substring(0, 40);
    }
    // A hash of the whole definition keeps two candidates from sharing a name after truncation.
    String hash = Integer.toHexString(toString().hashCode() & 0xfffffff);
    return name + "_" + hash;
  }

  /** {@code CREATE INDEX [CONCURRENTLY] "name" ON "schema"."table" ("a", "b") [INCLUDE ("c")]}. */
  public String ddl(boolean concurrently) {
    return "CREATE INDEX "
        + (concurrently ? "CONCURRENTLY " : "")
        + Identifiers.quote(indexName())
        + " ON "
        + Identifiers.qualified(schema, table)
        + " ("
        + Identifiers.list(key)
        + ")"
        + (include.isEmpty() ? "" : " INCLUDE (" + Identifiers.list(include) + ")");
  }

  /**
   * MariaDB/MySQL: {@code ALTER TABLE `schema`.`table` ADD INDEX `name` (`a`, `b`)}, online ({@code
   * ALGORITHM=INPLACE, LOCK=NONE}: the build fails rather than block writers) when {@code online}.
   * No INCLUDE there.
   */
  public String mysqlDdl(boolean online) {
    StringBuilder b =
        new StringBuilder("ALTER TABLE ")
            .append(Identifiers.backQuote(schema))
            .append('.')
            .append(Identifiers.backQuote(table))
            .append(" ADD INDEX ")
            .append(Identifiers.backQuote(indexName()))
            .append(" (");
    for (int i = 0; i < key.size(); i++) {
      b.append(i == 0 ? "" : ", ").append(Identifiers.backQuote(key.get(i)));
    }
    b.append(')');
    if (online) {
      b.append(", ALGORITHM=INPLACE, LOCK=NONE");
    }
    return b.toString();
  }

  /** {@code CREATE INDEX ON ...} without a name, as HypoPG takes it. */
  public String hypotheticalDdl() {
    return "CREATE INDEX ON "
        + Identifiers.qualified(schema, table)
        + " ("
        + Identifiers.list(key)
        + ")"
        + (include.isEmpty() ? "" : " INCLUDE (" + Identifiers.list(include) + ")");
  }

  /** Whether this candidate's key is a prefix of the other's (same table) and adds no columns. */
  public boolean servedBy(Candidate other) {
    return schema.equals(other.schema)
        && table.equals(other.table)
        && key.size() <= other.key.size()
        && other.key.subList(0, key.size()).equals(key)
        && (include.isEmpty() || allIn(include, other))
        && !equals(other);
  }

  private static boolean allIn(List<String> cols, Candidate other) {
    for (String c : cols) {
      if (!other.key.contains(c) && !other.include.contains(c)) {
        return false;
      }
    }
    return true;
  }
}
