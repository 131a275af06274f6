package dev.optimizer.db.cache.internal;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
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
final class CachedResultSet implements InvocationHandler {
  private final CachedResult result;
  private ResultSet rest;
  private boolean restOnRow;
  private boolean onRest;
  private int row = -1; // index of the current cached row; -1 before the first
  private boolean wasNull;
  private boolean closed;
  private int fetchSize;

  private CachedResultSet(CachedResult result, ResultSet rest, boolean restOnRow) {
    this.result = result;
    this.rest = rest;
    this.restOnRow = restOnRow;
  }

  /** A result set over a complete cached result. */
  static ResultSet open(CachedResult result) {
    return proxy(new CachedResultSet(result, null, false));
  }

  /** The cached rows, then the driver's result set (already on its next row if restOnRow). */
  static ResultSet openWithRest(CachedResult prefix, ResultSet rest, boolean restOnRow) {
    return proxy(new CachedResultSet(prefix, rest, restOnRow));
  }

  /**
   * The proxy class's constructor, looked up once: {@link Proxy#newProxyInstance} looks the class
   * up with caller checks on every call, which would cost a cache hit more than the rest of it.
   */
  private static final java.lang.reflect.Constructor<?> CONSTRUCTOR;

  static {
    Object sample =
        Proxy.newProxyInstance(
            CachedResultSet.class.getClassLoader(),
            new Class<?>[] {ResultSet.class},
            (p, m, a) -> null);
    try {
      CONSTRUCTOR = sample.getClass().getConstructor(InvocationHandler.class);
    } catch (NoSuchMethodException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static ResultSet proxy(CachedResultSet handler) {
    try {
      return (ResultSet) CONSTRUCTOR.newInstance(handler);
    } catch (ReflectiveOperationException e) {
      return (ResultSet)
          Proxy.newProxyInstance(
              CachedResultSet.class.getClassLoader(), new Class<?>[] {ResultSet.class}, handler);
    }
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    String name = method.getName();
    if (method.getDeclaringClass() == Object.class) {
      return switch (name) {
        case "equals" -> proxy == args[0];
        case "hashCode" -> System.identityHashCode(proxy);
        default ->
            "CachedResultSet[" + result.rows + " rows" + (rest != null ? " + rest" : "") + "]";
      };
    }
    if (onRest && !name.equals("close") && !name.equals("isClosed")) {
      try {
        return method.invoke(rest, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }
    switch (name) {
      case "next":
        return next();
      case "close":
        closed = true;
        if (rest != null) {
          rest.close();
        }
        return null;
      case "isClosed":
        return closed;
      case "unwrap":
        if (((Class<?>) args[0]).isInstance(proxy)) {
          return proxy;
        }
        throw new SQLException("a cached result set wraps nothing of type " + args[0]);
      case "isWrapperFor":
        return ((Class<?>) args[0]).isInstance(proxy);
      default:
        break;
    }
    checkOpen();
    switch (name) {
      case "wasNull":
        return wasNull;
      case "getMetaData":
        return result.meta;
      case "findColumn":
        return findColumn((String) args[0]);
      case "getRow":
        return row >= 0 && row < result.rows ? row + 1 : 0;
      case "isBeforeFirst":
        return row < 0 && (result.rows > 0 || rest != null);
      case "isAfterLast":
        return row >= result.rows && rest == null && result.rows > 0;
      case "isFirst":
        return row == 0 && result.rows > 0;
      case "isLast":
        return row == result.rows - 1 && rest == null;
      case "getType":
        return ResultSet.TYPE_FORWARD_ONLY;
      case "getConcurrency":
        return ResultSet.CONCUR_READ_ONLY;
      case "getHoldability":
        return ResultSet.HOLD_CURSORS_OVER_COMMIT;
      case "getFetchDirection":
        return ResultSet.FETCH_FORWARD;
      case "setFetchDirection":
        if ((int) args[0] != ResultSet.FETCH_FORWARD) {
          throw new SQLException("a forward-only result set fetches forward only", "24000");
        }
        return null;
      case "getFetchSize":
        return fetchSize;
      case "setFetchSize":
        fetchSize = (int) args[0];
        return null;
      case "getWarnings":
      case "getStatement":
        return null;
      case "clearWarnings":
        return null;
      case "rowUpdated":
      case "rowInserted":
      case "rowDeleted":
        return false;
      default:
        break;
    }
    if (name.startsWith("get") && args != null && args.length >= 1) {
      return get(name, column(args[0]), args);
    }
    if (name.startsWith("update") || name.endsWith("Row") || name.equals("cancelRowUpdates")) {
      throw new SQLFeatureNotSupportedException("a cached result set is read-only", "0A000");
    }
    throw new SQLException(name + " is not possible on a forward-only result set", "24000");
  }

  private boolean next() throws SQLException {
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

  private Object get(String getter, int column, Object[] args) throws SQLException {
    if (row < 0 || row >= result.rows) {
      throw new SQLException("the result set is not on a row (call next() first)", "24000");
    }
    int at = row * result.columns + column - 1;
    Object v = result.values[at];
    String text = result.texts == null ? null : result.texts[at];
    wasNull = v == null;
    switch (getter) {
      case "getString":
      case "getNString":
        return Values.string(v, text);
      case "getObject":
        if (args.length == 2 && args[1] instanceof Class<?> type) {
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
          return d != null && args.length == 2
              ? d.setScale((int) args[1], java.math.RoundingMode.HALF_UP)
              : d;
        }
      case "getBytes":
        return Values.bytes(v, text);
      case "getTimestamp":
        return args.length == 2
            ? Values.timestamp(v, text, (Calendar) args[1], zoned(column))
            : Values.timestamp(v, text);
      case "getDate":
        if (args.length == 2 && v != null && !zoned(column) && args[1] != null) {
          return new java.sql.Date(
              Values.timestamp(Values.date(v, text), null, (Calendar) args[1], false).getTime());
        }
        return Values.date(v, text);
      case "getTime":
        if (args.length == 2 && v != null && !zoned(column) && args[1] != null) {
          java.sql.Time t = Values.time(v, text);
          return new java.sql.Time(
              Values.timestamp(
                      java.sql.Timestamp.valueOf(
                          java.time.LocalDate.of(1970, 1, 1).atTime(t.toLocalTime())),
                      null,
                      (Calendar) args[1],
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
    return findColumn((String) arg);
  }

  private int findColumn(String label) throws SQLException {
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
