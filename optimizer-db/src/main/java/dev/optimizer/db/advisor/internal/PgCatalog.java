package dev.optimizer.db.advisor.internal;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The PostgreSQL catalog queries the advisor needs: tables with their sizes, columns, indexes and
 * column statistics, installed extensions, and index usage. Read-only; answers are cached per
 * instance (one analysis).
 */
public final class PgCatalog {
  private static final String INDEXES =
      "SELECT n.nspname, ic.relname, tc.relname, i.indisunique, i.indisprimary, i.indisvalid,"
          + " ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum,"
          + " ord) JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum WHERE"
          + " k.ord <= i.indnkeyatts ORDER BY k.ord),"
          + " i.indexprs IS NULL AND i.indpred IS NULL AND am.amname = 'btree'"
          + " AND 0 <> ALL (i.indkey::int2[]),"
          + " pg_relation_size(i.indexrelid), coalesce(s.idx_scan, -1)"
          + " FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
          + " JOIN pg_class tc ON tc.oid = i.indrelid"
          + " JOIN pg_namespace n ON n.oid = ic.relnamespace JOIN pg_am am ON am.oid = ic.relam"
          + " LEFT JOIN pg_stat_all_indexes s ON s.indexrelid = i.indexrelid";

  private final Connection connection;
  private final Map<String, Optional<TableInfo>> tables = new HashMap<>();

  /** A catalog read through the given connection (the caller owns it). */
  public PgCatalog(Connection connection) {
    this.connection = connection;
  }

  /** Whether an extension is installed in the current database. */
  public boolean hasExtension(String name) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement("SELECT 1 FROM pg_extension WHERE extname = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** The table a statement names (schema may be null: the search path decides), if it exists. */
  public Optional<TableInfo> table(String schema, String name) throws SQLException {
    String ref = schema == null ? Identifiers.quote(name) : Identifiers.qualified(schema, name);
    Optional<TableInfo> cached = tables.get(ref);
    if (cached != null) {
      return cached;
    }
    Optional<TableInfo> info = load(ref);
    tables.put(ref, info);
    return info;
  }

  /** The columns of a table, empty when it is unknown; for the analyzer's name resolution. */
  public Set<String> columnsOf(String schema, String name) {
    try {
      return table(schema, name).map(TableInfo::columns).orElse(Set.of());
    } catch (SQLException e) {
      return Set.of();
    }
  }

  /** Forgets what was cached (after ANALYZE, after creating an index). */
  public void refresh() {
    tables.clear();
  }

  private Optional<TableInfo> load(String ref) throws SQLException {
    long oid;
    String schema;
    String name;
    double rows;
    long bytes;
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT c.oid, n.nspname, c.relname, c.reltuples, pg_relation_size(c.oid)"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.oid = to_regclass(?) AND c.relkind IN ('r', 'p', 'm')")) {
      ps.setString(1, ref);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        oid = rs.getLong(1);
        schema = rs.getString(2);
        name = rs.getString(3);
        rows = Math.max(0, rs.getDouble(4));
        bytes = rs.getLong(5);
      }
    }
    Set<String> columns = new LinkedHashSet<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT attname FROM pg_attribute WHERE attrelid = ? AND attnum > 0 AND NOT"
                + " attisdropped ORDER BY attnum")) {
      ps.setLong(1, oid);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          columns.add(rs.getString(1));
        }
      }
    }
    List<ExistingIndex> indexes = indexes(" WHERE i.indrelid = " + oid);
    Map<String, TableInfo.ColumnStats> stats = new HashMap<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT attname, n_distinct, coalesce(most_common_freqs[1], 0) FROM pg_stats"
                + " WHERE schemaname = ? AND tablename = ?")) {
      ps.setString(1, schema);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          double nd = rs.getDouble(2);
          double distinct = nd >= 0 ? nd : -nd * rows;
          stats.put(rs.getString(1), new TableInfo.ColumnStats(distinct, rs.getDouble(3)));
        }
      }
    }
    return Optional.of(new TableInfo(schema, name, rows, bytes, columns, indexes, stats));
  }

  /** Every index in the user's schemas. */
  public List<ExistingIndex> userIndexes() throws SQLException {
    return indexes(" WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')");
  }

  private List<ExistingIndex> indexes(String where) throws SQLException {
    List<ExistingIndex> out = new ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery(INDEXES + where + " ORDER BY ic.relname")) {
      while (rs.next()) {
        Array cols = rs.getArray(7);
        List<String> key = new ArrayList<>();
        for (Object o : (Object[]) cols.getArray()) {
          key.add((String) o);
        }
        out.add(
            new ExistingIndex(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                List.copyOf(key),
                rs.getBoolean(4),
                rs.getBoolean(5),
                rs.getBoolean(6),
                rs.getBoolean(8),
                rs.getLong(9),
                rs.getLong(10)));
      }
    }
    return out;
  }
}
