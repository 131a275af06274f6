package dev.optimizer.db.cache.internal;

import java.sql.Date;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Calendar;

/**
 * The getters of PostgreSQL's date and time columns as pgjdbc answers them, where its answer is not
 * the generic conversion of the value it returned to {@code getObject}: pgjdbc reads them from the
 * server's text, so the cache does too. A {@code timestamp} without zone is UTC for {@code
 * OffsetDateTime} and its local time (not the {@link Timestamp} moved out of a daylight saving gap)
 * for a calendar; a {@code time} or {@code timetz} is a time on 1970-01-01 for {@code getDate} and
 * {@code getTimestamp}; a {@code timetz} keeps its offset for {@code OffsetTime} and {@code
 * OffsetDateTime}; a {@code timestamptz}'s {@code getTime} is its UTC time of day.
 */
final class PgTimes {
  private PgTimes() {}

  /** What {@link #get} returns where the generic conversion answers as pgjdbc does. */
  static final Object GENERIC = new Object();

  private static final LocalDate EPOCH = LocalDate.of(1970, 1, 1);
  private static final long DAY_MILLIS = 86_400_000L;

  /**
   * Whether a column's type name is one of pgjdbc's date and time types. pgjdbc names types in
   * lower case as PostgreSQL does; MariaDB's and H2's drivers name theirs in upper case, so their
   * columns keep the generic conversions.
   */
  static boolean handles(String typeName) {
    return typeName != null
        && switch (typeName) {
          case "timestamp", "timestamptz", "time", "timetz" -> true;
          default -> false;
        };
  }

  /**
   * pgjdbc's answer to {@code getter} on a non-null value {@code v} (with the driver's {@code
   * text}) of a column of type {@code typeName}, or {@link #GENERIC}.
   */
  static Object get(
      String typeName, String getter, Object v, String text, Object extra, int arguments)
      throws SQLException {
    String s = Values.string(v, text);
    Calendar cal = arguments == 2 && extra instanceof Calendar c ? c : null;
    Class<?> type = arguments == 2 && extra instanceof Class<?> t ? t : null;
    ZoneId zone = cal != null ? cal.getTimeZone().toZoneId() : ZoneId.systemDefault();
    switch (typeName) {
      case "timestamp":
        {
          LocalDateTime local = Values.localDateTime(s);
          if (local == null) {
            return GENERIC; // infinity, BC: as before
          }
          if (getter.equals("getObject") && type == OffsetDateTime.class) {
            return local.atOffset(ZoneOffset.UTC);
          }
          if (getter.equals("getTimestamp") && cal != null) {
            return Timestamp.from(local.atZone(zone).toInstant());
          }
          if (getter.equals("getTime")) {
            // Without a calendar pgjdbc truncates its Timestamp (moved out of a gap) in the JVM's
            // zone; with one, the local time in the calendar's zone. Milliseconds kept, as Time.
            LocalTime time =
                cal != null ? local.toLocalTime() : ((Timestamp) v).toLocalDateTime().toLocalTime();
            return new Time(EPOCH.atTime(time).atZone(zone).toInstant().toEpochMilli());
          }
          return GENERIC;
        }
      case "timestamptz":
        if (!(v instanceof Timestamp t)) {
          return GENERIC;
        }
        if (getter.equals("getTime")) {
          return new Time(t.getTime() % DAY_MILLIS); // pgjdbc: the instant's UTC time of day
        }
        if (getter.equals("getDate") && cal != null) {
          LocalDate day = t.toInstant().atZone(zone).toLocalDate();
          return new Date(day.atStartOfDay(zone).toInstant().toEpochMilli());
        }
        return GENERIC;
      case "time":
        {
          LocalTime time = Values.localTime(s);
          if (time == null) {
            return GENERIC;
          }
          if (getter.equals("getDate")) {
            return new Date(EPOCH.atStartOfDay(zone).toInstant().toEpochMilli());
          }
          if (getter.equals("getTimestamp")) {
            return Timestamp.from(EPOCH.atTime(time).atZone(zone).toInstant());
          }
          if (getter.equals("getTime") && cal != null) {
            return new Time(EPOCH.atTime(time).atZone(zone).toInstant().toEpochMilli());
          }
          return GENERIC;
        }
      case "timetz":
        {
          OffsetTime time = offsetTime(s);
          if (time == null) {
            return GENERIC;
          }
          if (getter.equals("getDate")) {
            return new Date(EPOCH.atStartOfDay(zone).toInstant().toEpochMilli());
          }
          if (getter.equals("getTimestamp")) {
            return Timestamp.from(time.atDate(EPOCH).toInstant()); // an instant: no calendar
          }
          if (getter.equals("getObject") && type == OffsetTime.class) {
            return time;
          }
          if (getter.equals("getObject") && type == OffsetDateTime.class) {
            return time.atDate(EPOCH);
          }
          return GENERIC;
        }
      default:
        return GENERIC;
    }
  }

  /**
   * PostgreSQL's text of a {@code timetz} ({@code 13:14:15.5+05:30}, {@code 01:02:03-08}), or null
   * when it is not one.
   */
  static OffsetTime offsetTime(String text) {
    int sign = Math.max(text.lastIndexOf('+'), text.lastIndexOf('-'));
    if (sign < 1) {
      return null;
    }
    LocalTime local = Values.localTime(text.substring(0, sign));
    if (local == null || local == LocalTime.MAX) {
      return null;
    }
    try {
      return OffsetTime.of(local, ZoneOffset.of(text.substring(sign)));
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
