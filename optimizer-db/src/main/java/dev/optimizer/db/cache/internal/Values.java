package dev.optimizer.db.cache.internal;

import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.Calendar;
import java.util.Locale;
import java.util.UUID;

/**
 * The JDBC getter conversions of a cached value, following what PostgreSQL's and MariaDB's drivers
 * do for the same value: numbers between each other and from text, booleans from numbers and the
 * usual words, dates and times between the {@code java.sql} and {@code java.time} types. Mutable
 * values (dates, byte arrays) are copied, so a caller cannot change what the cache holds.
 */
final class Values {
  private Values() {}

  static String string(Object v, String driverText) {
    if (v == null) {
      return null;
    }
    return driverText != null ? driverText : v.toString();
  }

  static boolean bool(Object v, String text) throws SQLException {
    if (v == null) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof Number n) {
      return n.doubleValue() != 0;
    }
    String s = string(v, text).trim().toLowerCase(Locale.ROOT);
    switch (s) {
      case "t", "true", "1", "y", "yes", "on":
        return true;
      case "f", "false", "0", "n", "no", "off":
        return false;
      default:
        throw new SQLDataException("cannot convert '" + s + "' to boolean", "22018");
    }
  }

  static long integral(Object v, String text, long min, long max, String type) throws SQLException {
    if (v == null) {
      return 0;
    }
    long r;
    if (v instanceof Boolean b) {
      r = b ? 1 : 0;
    } else if (v instanceof Integer
        || v instanceof Long
        || v instanceof Short
        || v instanceof Byte) {
      r = ((Number) v).longValue();
    } else {
      BigDecimal d = decimal(v, text);
      try {
        r = d.setScale(0, java.math.RoundingMode.DOWN).longValueExact();
      } catch (ArithmeticException e) {
        throw new SQLDataException("value out of range for " + type + ": " + d, "22003");
      }
    }
    if (r < min || r > max) {
      throw new SQLDataException("value out of range for " + type + ": " + r, "22003");
    }
    return r;
  }

  static double floating(Object v, String text) throws SQLException {
    if (v == null) {
      return 0;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    if (v instanceof Boolean b) {
      return b ? 1 : 0;
    }
    try {
      return Double.parseDouble(string(v, text).trim());
    } catch (NumberFormatException e) {
      throw new SQLDataException("cannot convert '" + string(v, text) + "' to a number", "22018");
    }
  }

  static BigDecimal decimal(Object v, String text) throws SQLException {
    if (v == null) {
      return null;
    }
    if (v instanceof BigDecimal d) {
      return d;
    }
    if (v instanceof BigInteger i) {
      return new BigDecimal(i);
    }
    if (v instanceof Boolean b) {
      return b ? BigDecimal.ONE : BigDecimal.ZERO;
    }
    if (v instanceof Double || v instanceof Float) {
      return BigDecimal.valueOf(((Number) v).doubleValue());
    }
    try {
      return new BigDecimal(string(v, text).trim());
    } catch (NumberFormatException e) {
      throw new SQLDataException("cannot convert '" + string(v, text) + "' to a number", "22018");
    }
  }

  static byte[] bytes(Object v, String text) {
    if (v == null) {
      return null;
    }
    if (v instanceof byte[] b) {
      return b.clone();
    }
    return string(v, text).getBytes(StandardCharsets.UTF_8);
  }

  static Timestamp timestamp(Object v, String text) throws SQLException {
    if (v == null) {
      return null;
    }
    if (v instanceof Timestamp t) {
      return (Timestamp) t.clone();
    }
    if (v instanceof Date d) {
      return Timestamp.valueOf(d.toLocalDate().atStartOfDay());
    }
    if (v instanceof LocalDateTime t) {
      return Timestamp.valueOf(t);
    }
    if (v instanceof LocalDate d) {
      return Timestamp.valueOf(d.atStartOfDay());
    }
    if (v instanceof OffsetDateTime t) {
      return Timestamp.from(t.toInstant());
    }
    if (v instanceof Instant i) {
      return Timestamp.from(i);
    }
    try {
      return Timestamp.valueOf(string(v, text).trim());
    } catch (IllegalArgumentException e) {
      throw new SQLDataException(
          "cannot convert '" + string(v, text) + "' to a timestamp", "22007");
    }
  }

  static Date date(Object v, String text) throws SQLException {
    if (v == null) {
      return null;
    }
    if (v instanceof Date d) {
      return (Date) d.clone();
    }
    if (v instanceof LocalDate d) {
      return Date.valueOf(d);
    }
    if (v instanceof String s) {
      try {
        return Date.valueOf(s.trim());
      } catch (IllegalArgumentException e) {
        // perhaps a timestamp's text: below
      }
    }
    return Date.valueOf(timestamp(v, text).toLocalDateTime().toLocalDate());
  }

  static Time time(Object v, String text) throws SQLException {
    if (v == null) {
      return null;
    }
    if (v instanceof Time t) {
      return (Time) t.clone();
    }
    if (v instanceof LocalTime t) {
      return Time.valueOf(t);
    }
    if (v instanceof String s) {
      try {
        return Time.valueOf(s.trim());
      } catch (IllegalArgumentException e) {
        // perhaps a timestamp's text: below
      }
    }
    return Time.valueOf(timestamp(v, text).toLocalDateTime().toLocalTime());
  }

  /**
   * A value read with a calendar: a time without zone is taken to be in the calendar's zone (as the
   * drivers do); a value with a zone (an instant) stays the same instant.
   */
  static Timestamp timestamp(Object v, String text, Calendar cal, boolean zoned)
      throws SQLException {
    Timestamp t = timestamp(v, text);
    if (t == null || cal == null || zoned) {
      return t;
    }
    Timestamp shifted =
        Timestamp.from(t.toLocalDateTime().atZone(cal.getTimeZone().toZoneId()).toInstant());
    shifted.setNanos(t.getNanos());
    return shifted;
  }

  static Object copy(Object v) {
    if (v instanceof byte[] b) {
      return b.clone();
    }
    if (v instanceof java.util.Date d) {
      return d.clone();
    }
    return v;
  }

  /** {@code getObject(column, type)}. */
  static Object as(Object v, String text, Class<?> type) throws SQLException {
    if (type == null) {
      throw new SQLException("getObject needs a type, but was null", "22023");
    }
    if (v == null) {
      return null;
    }
    if (type == String.class) {
      return string(v, text);
    }
    if (type == Integer.class) {
      return (int) integral(v, text, Integer.MIN_VALUE, Integer.MAX_VALUE, "int");
    }
    if (type == Long.class) {
      return integral(v, text, Long.MIN_VALUE, Long.MAX_VALUE, "long");
    }
    if (type == Short.class) {
      return (short) integral(v, text, Short.MIN_VALUE, Short.MAX_VALUE, "short");
    }
    if (type == Byte.class) {
      return (byte) integral(v, text, Byte.MIN_VALUE, Byte.MAX_VALUE, "byte");
    }
    if (type == Double.class) {
      return floating(v, text);
    }
    if (type == Float.class) {
      return (float) floating(v, text);
    }
    if (type == Boolean.class) {
      return bool(v, text);
    }
    if (type == BigDecimal.class) {
      return decimal(v, text);
    }
    if (type == BigInteger.class) {
      return decimal(v, text).toBigInteger();
    }
    if (type == byte[].class) {
      return bytes(v, text);
    }
    if (type == Timestamp.class) {
      return timestamp(v, text);
    }
    if (type == Date.class) {
      return date(v, text);
    }
    if (type == Time.class) {
      return time(v, text);
    }
    if (type.isInstance(v)) {
      return copy(v);
    }
    if (type == LocalDate.class) {
      return date(v, text).toLocalDate();
    }
    if (type == LocalTime.class) {
      LocalTime exact = v instanceof Time ? localTime(string(v, text)) : null;
      return exact != null ? exact : time(v, text).toLocalTime();
    }
    if (type == LocalDateTime.class) {
      LocalDateTime exact = v instanceof Timestamp ? localDateTime(string(v, text)) : null;
      return exact != null ? exact : timestamp(v, text).toLocalDateTime();
    }
    if (type == OffsetDateTime.class && v instanceof Timestamp t) {
      return t.toInstant().atOffset(ZoneOffset.UTC);
    }
    if (type == Instant.class && v instanceof Timestamp t) {
      return t.toInstant();
    }
    if (type == UUID.class && v instanceof String s) {
      try {
        return UUID.fromString(s.trim());
      } catch (IllegalArgumentException e) {
        throw new SQLDataException("cannot convert '" + s + "' to a UUID", "22018");
      }
    }
    throw new SQLFeatureNotSupportedException(
        "a cached result cannot convert " + v.getClass().getName() + " to " + type.getName());
  }

  /**
   * The driver's text of a time without zone ({@code 13:14:15.123456}; PostgreSQL's {@code
   * 24:00:00} is {@link LocalTime#MAX}, as pgjdbc reads it), or null when it is not one. The driver
   * reads {@code getObject(column, LocalTime.class)} from this text; the {@link Time} it returns to
   * {@code getObject(column)} holds no more than milliseconds, and {@link Time#toLocalTime} not
   * even those.
   */
  static LocalTime localTime(String text) {
    if (text.equals("24:00:00")) {
      return LocalTime.MAX;
    }
    try {
      return LocalTime.parse(text, DateTimeFormatter.ISO_LOCAL_TIME);
    } catch (DateTimeParseException e) {
      return null; // a zone, an interval-like MySQL TIME: the Time is what there is
    }
  }

  /**
   * The driver's text of a timestamp without zone ({@code 2024-03-31 02:30:00.123456}), or null
   * when it is not one (a zone, PostgreSQL's infinity or a BC date). The driver reads {@code
   * getObject(column, LocalDateTime.class)} from this text; the {@link Timestamp} it returns to
   * {@code getObject(column)} is a time in the JVM's zone, which moves a local time in a daylight
   * saving gap (02:30 on the night clocks go forward) by an hour.
   */
  static LocalDateTime localDateTime(String text) {
    try {
      return LocalDateTime.parse(text, LOCAL_DATE_TIME);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** {@code 2024-03-31 02:30:00.123456}: the drivers' text of a timestamp without zone. */
  private static final DateTimeFormatter LOCAL_DATE_TIME =
      new DateTimeFormatterBuilder()
          .append(DateTimeFormatter.ISO_LOCAL_DATE)
          .appendLiteral(' ')
          .append(DateTimeFormatter.ISO_LOCAL_TIME)
          .toFormatter(Locale.ROOT)
          .withResolverStyle(ResolverStyle.STRICT)
          .withChronology(java.time.chrono.IsoChronology.INSTANCE);

  static Object stream(String getter, Object v, String text) throws SQLException {
    if (v == null) {
      return null;
    }
    switch (getter) {
      case "getCharacterStream":
      case "getNCharacterStream":
        return new StringReader(string(v, text));
      case "getBinaryStream":
        return new ByteArrayInputStream(bytes(v, text));
      case "getAsciiStream":
        return new ByteArrayInputStream(string(v, text).getBytes(StandardCharsets.US_ASCII));
      case "getURL":
        try {
          return URI.create(string(v, text).trim()).toURL();
        } catch (MalformedURLException | IllegalArgumentException e) {
          throw new SQLDataException("not a URL: " + string(v, text), "22018");
        }
      case "getClob":
      case "getNClob":
        return new javax.sql.rowset.serial.SerialClob(string(v, text).toCharArray());
      case "getBlob":
        return new javax.sql.rowset.serial.SerialBlob(bytes(v, text));
      default:
        throw new SQLFeatureNotSupportedException(getter + " is not supported by a cached result");
    }
  }
}
