package dev.optimizer.db.cache.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A query result held by the cache: the column descriptions and the values, row after row in one
 * array, plus the driver's own text for the few values whose {@code getString} differs from their
 * {@code toString} (a PostgreSQL boolean reads as {@code t}, a {@code bytea} as hex). Only
 * immutable or copied-on-read value types are kept; a result with any other kind of value is not
 * cached. Immutable once built, but for {@link #recipe}.
 */
final class CachedResult {
  /** Value classes a cached result may hold; mutable ones are copied when read. */
  private static final Set<Class<?>> KEPT =
      Set.of(
          String.class,
          Integer.class,
          Long.class,
          Short.class,
          Byte.class,
          Float.class,
          Double.class,
          BigDecimal.class,
          BigInteger.class,
          Boolean.class,
          java.sql.Date.class,
          java.sql.Time.class,
          java.sql.Timestamp.class,
          byte[].class,
          java.util.UUID.class,
          java.time.LocalDate.class,
          java.time.LocalTime.class,
          java.time.LocalDateTime.class,
          java.time.OffsetDateTime.class,
          java.time.OffsetTime.class,
          java.time.Instant.class);

  /** Column types whose values are worth trying; the value's class is checked as well. */
  private static final Set<Integer> TYPES =
      Set.of(
          Types.CHAR,
          Types.VARCHAR,
          Types.LONGVARCHAR,
          Types.NCHAR,
          Types.NVARCHAR,
          Types.LONGNVARCHAR,
          Types.INTEGER,
          Types.SMALLINT,
          Types.TINYINT,
          Types.BIGINT,
          Types.BIT,
          Types.BOOLEAN,
          Types.NUMERIC,
          Types.DECIMAL,
          Types.REAL,
          Types.FLOAT,
          Types.DOUBLE,
          Types.DATE,
          Types.TIME,
          Types.TIMESTAMP,
          Types.TIME_WITH_TIMEZONE,
          Types.TIMESTAMP_WITH_TIMEZONE,
          Types.BINARY,
          Types.VARBINARY,
          Types.LONGVARBINARY,
          Types.OTHER);

  final CachedMetaData meta;
  final int columns;
  final int rows;
  final Object[] values;
  final String[] texts; // null when every value's text is its toString
  final long[] versions;
  final int bytes;

  /**
   * How to refresh this result after a write to its row, and where its hits are counted; null when
   * it is not refreshed ahead. Set once when it is stored.
   */
  volatile RefreshAhead.Recipe recipe;

  private CachedResult(
      CachedMetaData meta,
      int columns,
      List<Object> values,
      String[] texts,
      long[] versions,
      int bytes) {
    this.meta = meta;
    this.columns = columns;
    this.values = values.toArray();
    this.rows = columns == 0 ? 0 : this.values.length / columns;
    this.texts = texts == null ? null : Arrays.copyOf(texts, this.values.length);
    this.versions = versions;
    this.bytes = bytes;
  }

  /** A result read back from the remote tier, to be held under this instance's {@code versions}. */
  CachedResult(CachedMetaData meta, Object[] values, String[] texts, long[] versions, int bytes) {
    this.meta = meta;
    this.columns = meta.getColumnCount();
    this.values = values;
    this.rows = columns == 0 ? 0 : values.length / columns;
    this.texts = texts;
    this.versions = versions;
    this.bytes = bytes;
  }

  /** The same rows, held under other versions. */
  CachedResult withVersions(long[] other) {
    return new CachedResult(meta, values, texts, other, bytes);
  }

  /** Whether the tables it read are at the versions it was loaded at. */
  boolean fresh(long[] now) {
    return Arrays.equals(versions, now);
  }

  /**
   * What reading a driver's result set produced: a complete cacheable result, or (too large, a
   * value the cache does not keep) the rows read so far and the driver's result set, positioned on
   * the first row not yet handed out.
   */
  record Read(CachedResult complete, CachedResult prefix, ResultSet rest, boolean restOnRow) {}

  /** Whether the driver describes only columns the cache may keep. */
  static boolean keepable(ResultSetMetaData md) throws SQLException {
    int n = md.getColumnCount();
    for (int c = 1; c <= n; c++) {
      if (!TYPES.contains(md.getColumnType(c))) {
        return false;
      }
    }
    return true;
  }

  /** Reads a driver's result set (whose metadata is {@link #keepable}) up to {@code maxBytes}. */
  static Read read(ResultSet rs, long[] versions, long maxBytes) throws SQLException {
    CachedMetaData meta = new CachedMetaData(rs.getMetaData());
    int n = meta.getColumnCount();
    List<Object> values = new ArrayList<>();
    String[] texts = null;
    long bytes = 64 + meta.weight();
    Object[] row = new Object[n];
    String[] rowTexts = new String[n];
    while (rs.next()) {
      long rowBytes = 16 + 8L * n;
      boolean kept = true;
      boolean anyText = false;
      for (int c = 0; c < n; c++) {
        Object v = rs.getObject(c + 1);
        String text = null;
        if (v != null) {
          if (!KEPT.contains(v.getClass())) {
            kept = false;
            break;
          }
          if (!(v instanceof String)) {
            String driverText = rs.getString(c + 1);
            if (driverText != null && !driverText.equals(v.toString())) {
              text = driverText;
              anyText = true;
              rowBytes += 40 + 2L * driverText.length();
            }
          }
          rowBytes += weigh(v);
        }
        row[c] = v;
        rowTexts[c] = text;
      }
      if (!kept || bytes + rowBytes > maxBytes) {
        CachedResult prefix = new CachedResult(meta, n, values, texts, versions, (int) bytes);
        return new Read(null, prefix, rs, true);
      }
      if (anyText && texts == null) {
        texts = new String[Math.max(16, values.size() + n)];
      }
      if (texts != null) {
        if (texts.length < values.size() + n) {
          texts = Arrays.copyOf(texts, Math.max(texts.length * 2, values.size() + n));
        }
        System.arraycopy(rowTexts, 0, texts, values.size(), n);
      }
      values.addAll(Arrays.asList(row));
      bytes += rowBytes;
    }
    return new Read(
        new CachedResult(meta, n, values, texts, versions, (int) bytes), null, null, false);
  }

  private static long weigh(Object v) {
    if (v instanceof String s) {
      return 40 + 2L * s.length();
    }
    if (v instanceof byte[] b) {
      return 16 + b.length;
    }
    if (v instanceof BigDecimal || v instanceof BigInteger) {
      return 64;
    }
    if (v instanceof java.util.Date || v instanceof java.time.temporal.Temporal) {
      return 40;
    }
    return 16;
  }
}
