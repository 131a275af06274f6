package dev.optimizer.db.internal;

import java.io.InputStream;
import java.io.Reader;
import java.sql.Blob;
import java.sql.Clob;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The parameter values currently bound to a prepared or callable statement. JDBC keeps bound values
 * across executions until they are set again or cleared, so this keeps one value per position. The
 * values stay in memory only while the statement lives: they are what tells an N+1 loop (same
 * statement, different values) from a statement simply repeated, and what the result cache keys on.
 * They are never written to telemetry or logs.
 *
 * <p>A value that cannot be read twice (a stream, a reader, a LOB) makes the set {@linkplain
 * #snapshot() opaque}: no snapshot, only a hash that never repeats.
 *
 * <p>Not thread-safe: a statement is used by one thread at a time.
 */
public final class BoundParameters {
  /** Marks a position bound to SQL NULL, so that NULL and "not bound" differ. */
  private static final Object NULL =
      new Object() {
        @Override
        public String toString() {
          return "NULL";
        }
      };

  private Object[] byIndex = new Object[8];
  private int highest;
  private Map<String, Object> byName;
  private int opaque;
  private long opaqueSerial;

  /** Notes a {@code setXxx(position, value, ...)} call; {@code setNull} passes a null value. */
  void set(Object position, Object value, boolean isNull) {
    Object v = isNull || value == null ? NULL : value;
    if (v instanceof InputStream || v instanceof Reader || v instanceof Blob || v instanceof Clob) {
      opaque++;
      opaqueSerial++;
    }
    if (position instanceof Integer i && i >= 1 && i < 10_000) {
      if (i >= byIndex.length) {
        byIndex = Arrays.copyOf(byIndex, Math.max(i + 1, byIndex.length * 2));
      }
      byIndex[i] = v;
      highest = Math.max(highest, i);
    } else {
      if (byName == null) {
        byName = new TreeMap<>();
      }
      byName.put(String.valueOf(position), v);
    }
  }

  /** {@code clearParameters()}. */
  void clear() {
    Arrays.fill(byIndex, 0, highest + 1, null);
    highest = 0;
    if (byName != null) {
      byName.clear();
    }
    opaque = 0;
  }

  /**
   * A hash of the bound values; equal sets hash equally (arrays by content). An opaque set hashes
   * differently each time one of its streams is bound, so repeated stream uploads never look like a
   * repeated identical call.
   */
  long hash() {
    long h = 1;
    for (int i = 1; i <= highest; i++) {
      h = 31 * h + valueHash(byIndex[i]);
    }
    if (byName != null) {
      for (Map.Entry<String, Object> e : byName.entrySet()) {
        h = 31 * h + e.getKey().hashCode();
        h = 31 * h + valueHash(e.getValue());
      }
    }
    return opaque > 0 ? 31 * h + opaqueSerial : h;
  }

  /**
   * A copy of the values by position (index 0 is position 1; SQL NULL and unbound positions are
   * {@code null}), or {@code null} when a value cannot be read twice or parameters are named.
   */
  public Object[] snapshot() {
    if (opaque > 0 || (byName != null && !byName.isEmpty())) {
      return null;
    }
    Object[] copy = new Object[highest];
    for (int i = 1; i <= highest; i++) {
      Object v = byIndex[i];
      copy[i - 1] = v == NULL ? null : v instanceof byte[] b ? b.clone() : v;
    }
    return copy;
  }

  private static int valueHash(Object v) {
    if (v instanceof byte[] b) {
      return Arrays.hashCode(b);
    }
    return Objects.hashCode(v);
  }
}
