package dev.optimizer.db.cache.internal;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.Calendar;
import java.util.Locale;

/**
 * A forward-only, read-only {@link ResultSet} over a {@link CachedResult}: the getters with the
 * drivers' conversions, {@code wasNull}, {@code findColumn} (labels, case-insensitively, first
 * match wins), {@code getMetaData}, the cursor questions, and {@code close}. Scrolling and updating
 * fail as they do on a forward-only, read-only driver result set.
 *
 * <p>It may carry a rest: the driver's result set, still open, whose rows follow the cached ones (a
 * result that turned out too large or held a value the cache does not keep). Once the cached rows
 * are used up, every call goes to the rest. Not thread-safe, like any result set.
 */
final class CachedResultSet extends CachedResultSetBase {
  private final CachedResult result;
  private boolean restOnRow;
  private int row = -1; // index of the current cached row; -1 before the first
  private boolean wasNull;
  private boolean closed;
  private int fetchSize;

  // The driver's result set these rows were read from, read to its end: closed with this one.
  private final ResultSet drained;

  private CachedResultSet(
      CachedResult result, ResultSet rest, boolean restOnRow, ResultSet drained) {
    this.result = result;
    this.rest = rest;
    this.restOnRow = restOnRow;
    this.drained = drained;
  }

  /** A result set over a complete cached result. */
  static ResultSet open(CachedResult result) {
    return new CachedResultSet(result, null, false, null);
  }

  /**
   * A result set over a complete cached result read from {@code drained}, the driver's result set,
   * which is closed when this one is (so a statement to close on completion closes then).
   */
  static ResultSet openClosing(CachedResult result, ResultSet drained) {
    return new CachedResultSet(result, null, false, drained);
  }

  /** The cached rows, then the driver's result set (already on its next row if restOnRow). */
  static ResultSet openWithRest(CachedResult prefix, ResultSet rest, boolean restOnRow) {
    return new CachedResultSet(prefix, rest, restOnRow, null);
  }

  @Override
  public String toString() {
    return "CachedResultSet[" + result.rows + " rows" + (rest != null ? " + rest" : "") + "]";
  }

  // --- what the cached rows answer themselves; on the rest, the rest answers ---

  @Override
  public boolean next() throws SQLException {
    return onRest ? rest.next() : nextRow();
  }

  @Override
  public void close() throws SQLException {
    closed = true;
    if (rest != null) {
      rest.close();
    }
    if (drained != null) {
      drained.close();
    }
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (onRest) {
      return rest.unwrap(iface);
    }
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    throw new SQLException("a cached result set wraps nothing of type " + iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return onRest ? rest.isWrapperFor(iface) : iface.isInstance(this);
  }

  @Override
  public boolean wasNull() throws SQLException {
    if (onRest) {
      return rest.wasNull();
    }
    checkOpen();
    return wasNull;
  }

  @Override
  public ResultSetMetaData getMetaData() throws SQLException {
    if (onRest) {
      return rest.getMetaData();
    }
    checkOpen();
    return result.meta;
  }

  @Override
  public int findColumn(String label) throws SQLException {
    if (onRest) {
      return rest.findColumn(label);
    }
    checkOpen();
    return column(label);
  }

  @Override
  public int getRow() throws SQLException {
    if (onRest) {
      return rest.getRow();
    }
    checkOpen();
    return row >= 0 && row < result.rows ? row + 1 : 0;
  }

  @Override
  public boolean isBeforeFirst() throws SQLException {
    if (onRest) {
      return rest.isBeforeFirst();
    }
    checkOpen();
    return row < 0 && (result.rows > 0 || rest != null);
  }

  @Override
  public boolean isAfterLast() throws SQLException {
    if (onRest) {
      return rest.isAfterLast();
    }
    checkOpen();
    return row >= result.rows && rest == null && result.rows > 0;
  }

  @Override
  public boolean isFirst() throws SQLException {
    if (onRest) {
      return rest.isFirst();
    }
    checkOpen();
    return row == 0 && result.rows > 0;
  }

  @Override
  public boolean isLast() throws SQLException {
    if (onRest) {
      return rest.isLast();
    }
    checkOpen();
    return row == result.rows - 1 && rest == null;
  }

  @Override
  public int getType() throws SQLException {
    if (onRest) {
      return rest.getType();
    }
    checkOpen();
    return ResultSet.TYPE_FORWARD_ONLY;
  }

  @Override
  public int getConcurrency() throws SQLException {
    if (onRest) {
      return rest.getConcurrency();
    }
    checkOpen();
    return ResultSet.CONCUR_READ_ONLY;
  }

  @Override
  public int getHoldability() throws SQLException {
    if (onRest) {
      return rest.getHoldability();
    }
    checkOpen();
    return ResultSet.HOLD_CURSORS_OVER_COMMIT;
  }

  @Override
  public int getFetchDirection() throws SQLException {
    if (onRest) {
      return rest.getFetchDirection();
    }
    checkOpen();
    return ResultSet.FETCH_FORWARD;
  }

  @Override
  public void setFetchDirection(int direction) throws SQLException {
    if (onRest) {
      rest.setFetchDirection(direction);
      return;
    }
    checkOpen();
    if (direction != ResultSet.FETCH_FORWARD) {
      throw new SQLException("a forward-only result set fetches forward only", "24000");
    }
  }

  @Override
  public int getFetchSize() throws SQLException {
    if (onRest) {
      return rest.getFetchSize();
    }
    checkOpen();
    return fetchSize;
  }

  @Override
  public void setFetchSize(int rows) throws SQLException {
    if (onRest) {
      rest.setFetchSize(rows);
      return;
    }
    checkOpen();
    fetchSize = rows;
  }

  @Override
  public SQLWarning getWarnings() throws SQLException {
    if (onRest) {
      return rest.getWarnings();
    }
    checkOpen();
    return null;
  }

  @Override
  public Statement getStatement() throws SQLException {
    if (onRest) {
      return rest.getStatement();
    }
    checkOpen();
    return null;
  }

  @Override
  public void clearWarnings() throws SQLException {
    if (onRest) {
      rest.clearWarnings();
      return;
    }
    checkOpen();
  }

  @Override
  public boolean rowUpdated() throws SQLException {
    if (onRest) {
      return rest.rowUpdated();
    }
    checkOpen();
    return false;
  }

  @Override
  public boolean rowInserted() throws SQLException {
    if (onRest) {
      return rest.rowInserted();
    }
    checkOpen();
    return false;
  }

  @Override
  public boolean rowDeleted() throws SQLException {
    if (onRest) {
      return rest.rowDeleted();
    }
    checkOpen();
    return false;
  }

  @Override
  SQLException refused(String name) throws SQLException {
    checkOpen();
    if (name.startsWith("update") || name.endsWith("Row") || name.equals("cancelRowUpdates")) {
      return new SQLFeatureNotSupportedException("a cached result set is read-only", "0A000");
    }
    return new SQLException(name + " is not possible on a forward-only result set", "24000");
  }

  @Override
  Object cachedGet(String getter, Object column, Object extra, int arguments) throws SQLException {
    checkOpen();
    return get(getter, column(column), extra, arguments);
  }

  private boolean nextRow() throws SQLException {
    checkOpen();
    if (row < result.rows) {
      row++;
    }
    if (row < result.rows) {
      return true;
    }
    if (rest == null) {
      return false;
    }
    onRest = true;
    if (restOnRow) {
      restOnRow = false;
      return true;
    }
    return rest.next();
  }

  private Object get(String getter, int column, Object extra, int arguments) throws SQLException {
    if (row < 0 || row >= result.rows) {
      throw new SQLException("the result set is not on a row (call next() first)", "24000");
    }
    int at = row * result.columns + column - 1;
    Object v = result.values[at];
    String text = result.texts == null ? null : result.texts[at];
    wasNull = v == null;
    String typeName = v == null ? null : result.meta.getColumnTypeName(column);
    if (PgTimes.handles(typeName)) {
      Object pg = PgTimes.get(typeName, getter, v, text, extra, arguments);
      if (pg != PgTimes.GENERIC) {
        return pg;
      }
    }
    switch (getter) {
      case "getString":
      case "getNString":
        return Values.string(v, text);
      case "getObject":
        if (arguments == 2 && extra instanceof Class<?> type) {
          return Values.as(v, text, type);
        }
        return Values.copy(v);
      case "getBoolean":
        return Values.bool(v, text);
      case "getByte":
        return (byte) Values.integral(v, text, Byte.MIN_VALUE, Byte.MAX_VALUE, "byte");
      case "getShort":
        return (short) Values.integral(v, text, Short.MIN_VALUE, Short.MAX_VALUE, "short");
      case "getInt":
        return (int) Values.integral(v, text, Integer.MIN_VALUE, Integer.MAX_VALUE, "int");
      case "getLong":
        return Values.integral(v, text, Long.MIN_VALUE, Long.MAX_VALUE, "long");
      case "getFloat":
        return (float) Values.floating(v, text);
      case "getDouble":
        return Values.floating(v, text);
      case "getBigDecimal":
        {
          java.math.BigDecimal d = Values.decimal(v, text);
          return d != null && arguments == 2
              ? d.setScale((int) extra, java.math.RoundingMode.HALF_UP)
              : d;
        }
      case "getBytes":
        return Values.bytes(v, text);
      case "getTimestamp":
        return arguments == 2
            ? Values.timestamp(v, text, (Calendar) extra, zoned(column))
            : Values.timestamp(v, text);
      case "getDate":
        if (arguments == 2 && v != null && !zoned(column) && extra != null) {
          return new java.sql.Date(
              Values.timestamp(Values.date(v, text), null, (Calendar) extra, false).getTime());
        }
        return Values.date(v, text);
      case "getTime":
        if (arguments == 2 && v != null && !zoned(column) && extra != null) {
          java.sql.Time t = Values.time(v, text);
          return new java.sql.Time(
              Values.timestamp(
                      java.sql.Timestamp.valueOf(
                          java.time.LocalDate.of(1970, 1, 1).atTime(t.toLocalTime())),
                      null,
                      (Calendar) extra,
                      false)
                  .getTime());
        }
        return Values.time(v, text);
      case "getNClob":
      case "getArray":
      case "getRef":
      case "getRowId":
      case "getSQLXML":
      case "getUnicodeStream":
        throw new SQLFeatureNotSupportedException(
            getter + " is not supported by a cached result set", "0A000");
      default:
        return Values.stream(getter, v, text);
    }
  }

  private boolean zoned(int column) throws SQLException {
    int type = result.meta.getColumnType(column);
    if (type == java.sql.Types.TIMESTAMP_WITH_TIMEZONE
        || type == java.sql.Types.TIME_WITH_TIMEZONE) {
      return true;
    }
    String typeName = result.meta.getColumnTypeName(column);
    return typeName != null && typeName.toLowerCase(Locale.ROOT).endsWith("tz");
  }

  private int column(Object arg) throws SQLException {
    if (arg instanceof Integer i) {
      if (i < 1 || i > result.columns) {
        throw new SQLException(
            "column index must be in [1, " + result.columns + "], but was " + i, "22023");
      }
      return i;
    }
    return column((String) arg);
  }

  private int column(String label) throws SQLException {
    if (label != null) {
      for (int c = 1; c <= result.columns; c++) {
        if (label.equalsIgnoreCase(result.meta.getColumnLabel(c))) {
          return c;
        }
      }
    }
    throw new SQLException("the result has no column named " + label, "42703");
  }

  private void checkOpen() throws SQLException {
    if (closed) {
      throw new SQLException("the result set is closed", "24000");
    }
  }
}
