package dev.optimizer.db.cache.internal;

import java.util.Arrays;

/**
 * What a cached result answers: the exact statement text (not just its fingerprint — two texts that
 * differ in a literal share one), the bound values by position, and who asked where: the
 * connection's URL, catalog, schema and user. Values are compared by content (arrays included) and
 * by class; they live only in memory, never in telemetry. The fingerprint is not part of the
 * identity (the text decides it); it lets the results of one query be dropped together.
 */
final class CacheKey {
  private final String sql;
  private final Object[] parameters;
  private final ConnectionContext context;
  private final long fingerprint;
  private final int hash;

  CacheKey(long fingerprint, String sql, Object[] parameters, ConnectionContext context) {
    this.fingerprint = fingerprint;
    this.sql = sql;
    this.parameters = parameters;
    this.context = context;
    this.hash = 31 * (31 * sql.hashCode() + Arrays.deepHashCode(parameters)) + context.hashCode();
  }

  /** The fingerprint of the statement. */
  long fingerprint() {
    return fingerprint;
  }

  /** Who asked where. */
  ConnectionContext context() {
    return context;
  }

  /** Rough bytes held, for the weigher. */
  int weight() {
    int w = 48 + 2 * sql.length() + 16 * parameters.length;
    for (Object p : parameters) {
      if (p instanceof String s) {
        w += 2 * s.length();
      } else if (p instanceof byte[] b) {
        w += b.length;
      }
    }
    return w;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CacheKey k
        && k.hash == hash
        && k.sql.equals(sql)
        && Arrays.deepEquals(k.parameters, parameters)
        && sameClasses(k.parameters, parameters)
        && k.context.equals(context);
  }

  /**
   * Whether the values are of the same classes, position by position: some equal values of
   * different classes bind differently ({@code java.sql.Date.equals} a {@code Timestamp} of the
   * same instant, but the database gets a date in one case and a timestamp in the other).
   */
  private static boolean sameClasses(Object[] a, Object[] b) {
    for (int i = 0; i < a.length; i++) {
      if (a[i] != null && b[i] != null && a[i].getClass() != b[i].getClass()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return "CacheKey[" + parameters.length + " parameters]"; // never the values
  }
}
