package dev.optimizer.db.advisor.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The MariaDB/MySQL catalog the advisor needs, from {@code information_schema}. There is no {@code
 * pg_stats} there, so a column's selectivity is estimated from a bounded sample of the table (its
 * first {@value #SAMPLE_ROWS} rows): distinct values and the share of the most common one. Cached
 * per instance (one analysis).
 */
public final class MariaDbCatalog {
  static final int SAMPLE_ROWS = 10_000;
  private static final int MAX_COLUMNS_SAMPLED = 30;

  private final Connection connection;
  private final Map<String, Optional<TableInfo>> tables = new HashMap<>();

  /** A catalog read through the given connection (the caller owns it). */
  public MariaDbCatalog(Connection connection) {
    this.connection = connection;
  }

  /** The table (schema null: the current database), if it exists. */
  public Optional<TableInfo> table(String schema, String name) throws SQLException {
    String key = schema + "." + name;
    Optional<TableInfo> cached = tables.get(key);
    if (cached == null) {
      cached = load(schema, name);
      tables.put(key, cached);
    }
    return cached;
  }

  /** The columns of a table, empty when unknown. */
  public Set<String> columnsOf(String schema, String name) {
    try {
      return table(schema, name).map(TableInfo::columns).orElse(Set.of());
    } catch (SQLException e) {
      return Set.of();
    }
  }

  private Optional<TableInfo> load(String schemaOrNull, String name) throws SQLException {
    String schema;
    double rows;
    long bytes;
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT TABLE_SCHEMA, TABLE_ROWS, DATA_LENGTH FROM information_schema.TABLES WHERE"
                + " TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?")) {
      ps.setString(1, schemaOrNull);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        schema = rs.getString(1);
        rows = rs.getDouble(2);
        bytes = rs.getLong(3);
      }
    }
    Set<String> columns = new LinkedHashSet<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND"
                + " TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
      ps.setString(1, schema);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          columns.add(rs.getString(1));
        }
      }
    }
    List<IndexPart> parts = new ArrayList<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT INDEX_NAME, COLUMN_NAME, NON_UNIQUE, INDEX_TYPE, SUB_PART FROM"
                + " information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?"
                + " ORDER BY INDEX_NAME, SEQ_IN_INDEX")) {
      ps.setString(1, schema);
      ps.setString(2, name);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          parts.add(
              new IndexPart(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getInt(3) == 0,
                  rs.getString(4),
                  rs.getObject(5) != null));
        }
      }
    }
    List<ExistingIndex> indexes = indexes(schema, name, parts);
    Map<String, TableInfo.ColumnStats> stats = new HashMap<>();
    int sampled = 0;
    for (String c : columns) {
      if (sampled++ >= MAX_COLUMNS_SAMPLED) {
        break;
      }
      stats.put(c, sample(schema, name, c));
    }
    return Optional.of(new TableInfo(schema, name, rows, bytes, columns, indexes, stats));
  }

  /**
   * One row of {@code information_schema.STATISTICS}: one key part of an index.
   *
   * @param column the column, null for an expression (a MySQL functional key part)
   * @param type {@code BTREE}, {@code HASH}, {@code FULLTEXT}, {@code SPATIAL}, ...
   * @param prefix whether only a prefix of the column is indexed ({@code SUB_PART})
   */
  record IndexPart(String index, String column, boolean unique, String type, boolean prefix) {}

  /**
   * The indexes these key parts (in index, then position order) make up. Only a B-tree on whole
   * columns is plain: a full-text, spatial or hash index, or one on a prefix or an expression, does
   * not serve the lookups and orders a B-tree on those columns would, so it must not count as one.
   * An index with an expression part has no key columns (as in PostgreSQL).
   */
  static List<ExistingIndex> indexes(String schema, String table, List<IndexPart> parts) {
    Map<String, List<IndexPart>> byIndex = new LinkedHashMap<>();
    for (IndexPart p : parts) {
      byIndex.computeIfAbsent(p.index(), k -> new ArrayList<>()).add(p);
    }
    List<ExistingIndex> out = new ArrayList<>();
    byIndex.forEach(
        (index, ps) -> {
          boolean expression = ps.stream().anyMatch(p -> p.column() == null);
          boolean plain =
              !expression
                  && ps.stream().allMatch(p -> !p.prefix() && "BTREE".equalsIgnoreCase(p.type()));
          List<String> key = expression ? List.of() : ps.stream().map(IndexPart::column).toList();
          out.add(
              new ExistingIndex(
                  schema,
                  index,
                  table,
                  key,
                  ps.get(0).unique(),
                  index.equals("PRIMARY"),
                  true,
                  plain,
                  0,
                  -1));
        });
    return out;
  }

  /** Distinct values and the top value's share in a bounded sample of the column. */
  private TableInfo.ColumnStats sample(String schema, String table, String column)
      throws SQLException {
    String col = Identifiers.backQuote(column);
    String from =
        "(SELECT "
            + col
            + " AS v FROM "
            + Identifiers.backQuote(schema)
            + "."
            + Identifiers.backQuote(table)
            + " LIMIT "
            + SAMPLE_ROWS
            + ") s";
    try (Statement s = connection.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT COUNT(*), COUNT(DISTINCT v), COALESCE(MAX(n), 0) FROM (SELECT v, COUNT(*)"
                    + " AS n FROM "
                    + from
                    + " GROUP BY v) g")) {
      rs.next();
      double groups = rs.getDouble(1);
      double maxCount = rs.getDouble(3);
      double total = sampleSize(from);
      // Every sampled value distinct: the column is at least as selective as the sample shows.
      double distinct = groups >= total ? Double.MAX_VALUE : groups;
      return new TableInfo.ColumnStats(distinct, total == 0 ? 0 : maxCount / total);
    }
  }

  private double sampleSize(String from) throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + from)) {
      rs.next();
      return rs.getDouble(1);
    }
  }
}
