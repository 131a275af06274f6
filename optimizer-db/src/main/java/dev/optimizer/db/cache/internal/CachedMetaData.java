package dev.optimizer.db.cache.internal;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;

/**
 * A copy of a result's column descriptions, taken once when the result was cached, so that a cached
 * result describes itself exactly as the driver did. Immutable.
 */
final class CachedMetaData implements ResultSetMetaData {
  private final String[] labels;
  private final String[] names;
  private final int[] types;
  private final String[] typeNames;
  private final String[] classNames;
  private final int[] precisions;
  private final int[] scales;
  private final int[] nullables;
  private final int[] displaySizes;
  private final boolean[] signed;
  private final boolean[] autoIncrement;
  private final boolean[] caseSensitive;
  private final boolean[] currency;
  private final String[] tables;
  private final String[] schemas;
  private final String[] catalogs;

  CachedMetaData(ResultSetMetaData md) throws SQLException {
    int n = md.getColumnCount();
    labels = new String[n];
    names = new String[n];
    types = new int[n];
    typeNames = new String[n];
    classNames = new String[n];
    precisions = new int[n];
    scales = new int[n];
    nullables = new int[n];
    displaySizes = new int[n];
    signed = new boolean[n];
    autoIncrement = new boolean[n];
    caseSensitive = new boolean[n];
    currency = new boolean[n];
    tables = new String[n];
    schemas = new String[n];
    catalogs = new String[n];
    for (int i = 0; i < n; i++) {
      int c = i + 1;
      labels[i] = md.getColumnLabel(c);
      names[i] = md.getColumnName(c);
      types[i] = md.getColumnType(c);
      typeNames[i] = md.getColumnTypeName(c);
      classNames[i] = md.getColumnClassName(c);
      precisions[i] = md.getPrecision(c);
      scales[i] = md.getScale(c);
      nullables[i] = md.isNullable(c);
      displaySizes[i] = md.getColumnDisplaySize(c);
      signed[i] = md.isSigned(c);
      autoIncrement[i] = md.isAutoIncrement(c);
      caseSensitive[i] = md.isCaseSensitive(c);
      currency[i] = md.isCurrency(c);
      tables[i] = md.getTableName(c);
      schemas[i] = md.getSchemaName(c);
      catalogs[i] = md.getCatalogName(c);
    }
  }

  private CachedMetaData(int n) {
    labels = new String[n];
    names = new String[n];
    types = new int[n];
    typeNames = new String[n];
    classNames = new String[n];
    precisions = new int[n];
    scales = new int[n];
    nullables = new int[n];
    displaySizes = new int[n];
    signed = new boolean[n];
    autoIncrement = new boolean[n];
    caseSensitive = new boolean[n];
    currency = new boolean[n];
    tables = new String[n];
    schemas = new String[n];
    catalogs = new String[n];
  }

  /** Writes the descriptions for the remote tier (read back by {@link #readFrom}). */
  void writeTo(java.io.DataOutputStream out) throws java.io.IOException {
    out.writeInt(labels.length);
    for (int i = 0; i < labels.length; i++) {
      for (String s : new String[] {labels[i], names[i], typeNames[i], classNames[i]}) {
        ResultCodec.writeString(out, s);
      }
      for (String s : new String[] {tables[i], schemas[i], catalogs[i]}) {
        ResultCodec.writeString(out, s);
      }
      out.writeInt(types[i]);
      out.writeInt(precisions[i]);
      out.writeInt(scales[i]);
      out.writeInt(nullables[i]);
      out.writeInt(displaySizes[i]);
      out.writeByte(
          (signed[i] ? 1 : 0)
              | (autoIncrement[i] ? 2 : 0)
              | (caseSensitive[i] ? 4 : 0)
              | (currency[i] ? 8 : 0));
    }
  }

  /** Reads what {@link #writeTo} wrote. */
  static CachedMetaData readFrom(java.io.DataInputStream in) throws java.io.IOException {
    int n = in.readInt();
    if (n < 0 || n > 100_000) {
      throw new java.io.IOException("bad column count " + n);
    }
    CachedMetaData m = new CachedMetaData(n);
    for (int i = 0; i < n; i++) {
      m.labels[i] = ResultCodec.readString(in);
      m.names[i] = ResultCodec.readString(in);
      m.typeNames[i] = ResultCodec.readString(in);
      m.classNames[i] = ResultCodec.readString(in);
      m.tables[i] = ResultCodec.readString(in);
      m.schemas[i] = ResultCodec.readString(in);
      m.catalogs[i] = ResultCodec.readString(in);
      m.types[i] = in.readInt();
      m.precisions[i] = in.readInt();
      m.scales[i] = in.readInt();
      m.nullables[i] = in.readInt();
      m.displaySizes[i] = in.readInt();
      int flags = in.readByte();
      m.signed[i] = (flags & 1) != 0;
      m.autoIncrement[i] = (flags & 2) != 0;
      m.caseSensitive[i] = (flags & 4) != 0;
      m.currency[i] = (flags & 8) != 0;
    }
    return m;
  }

  /** Rough bytes held, for the cache's weigher. */
  int weight() {
    int w = 64 + labels.length * 96;
    for (int i = 0; i < labels.length; i++) {
      w += len(labels[i]) + len(names[i]) + len(typeNames[i]) + len(classNames[i]);
      w += len(tables[i]) + len(schemas[i]) + len(catalogs[i]);
    }
    return w;
  }

  private static int len(String s) {
    return s == null ? 0 : 2 * s.length();
  }

  private int at(int column) throws SQLException {
    if (column < 1 || column > labels.length) {
      throw new SQLException(
          "column index must be in [1, " + labels.length + "], but was " + column, "22023");
    }
    return column - 1;
  }

  @Override
  public int getColumnCount() {
    return labels.length;
  }

  @Override
  public boolean isAutoIncrement(int column) throws SQLException {
    return autoIncrement[at(column)];
  }

  @Override
  public boolean isCaseSensitive(int column) throws SQLException {
    return caseSensitive[at(column)];
  }

  @Override
  public boolean isSearchable(int column) throws SQLException {
    at(column);
    return true;
  }

  @Override
  public boolean isCurrency(int column) throws SQLException {
    return currency[at(column)];
  }

  @Override
  public int isNullable(int column) throws SQLException {
    return nullables[at(column)];
  }

  @Override
  public boolean isSigned(int column) throws SQLException {
    return signed[at(column)];
  }

  @Override
  public int getColumnDisplaySize(int column) throws SQLException {
    return displaySizes[at(column)];
  }

  @Override
  public String getColumnLabel(int column) throws SQLException {
    return labels[at(column)];
  }

  @Override
  public String getColumnName(int column) throws SQLException {
    return names[at(column)];
  }

  @Override
  public String getSchemaName(int column) throws SQLException {
    return schemas[at(column)];
  }

  @Override
  public int getPrecision(int column) throws SQLException {
    return precisions[at(column)];
  }

  @Override
  public int getScale(int column) throws SQLException {
    return scales[at(column)];
  }

  @Override
  public String getTableName(int column) throws SQLException {
    return tables[at(column)];
  }

  @Override
  public String getCatalogName(int column) throws SQLException {
    return catalogs[at(column)];
  }

  @Override
  public int getColumnType(int column) throws SQLException {
    return types[at(column)];
  }

  @Override
  public String getColumnTypeName(int column) throws SQLException {
    return typeNames[at(column)];
  }

  @Override
  public boolean isReadOnly(int column) throws SQLException {
    at(column);
    return true;
  }

  @Override
  public boolean isWritable(int column) throws SQLException {
    at(column);
    return false;
  }

  @Override
  public boolean isDefinitelyWritable(int column) throws SQLException {
    at(column);
    return false;
  }

  @Override
  public String getColumnClassName(int column) throws SQLException {
    return classNames[at(column)];
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException("a cached result's metadata wraps nothing of type " + iface.getName());
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return iface.isInstance(this);
  }
}
