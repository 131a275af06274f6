package dev.optimizer.db.internal;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A hash of the parameter values currently bound to a prepared statement — what tells an N+1 loop
 * (same statement, different values) from a statement simply repeated. JDBC keeps bound values
 * across executions until they are set again or cleared, so this keeps one hash per position rather
 * than a running mix. Values themselves are never kept.
 */
final class ParameterHash {
  private int[] byIndex = new int[8];
  private Map<String, Integer> byName;

  void set(Object position, Object value) {
    int h = Objects.hashCode(value);
    if (position instanceof Integer i && i >= 0 && i < 10_000) {
      if (i >= byIndex.length) {
        byIndex = Arrays.copyOf(byIndex, Math.max(i + 1, byIndex.length * 2));
      }
      byIndex[i] = h;
    } else {
      if (byName == null) {
        byName = new HashMap<>();
      }
      byName.put(String.valueOf(position), h);
    }
  }

  void clear() {
    Arrays.fill(byIndex, 0);
    if (byName != null) {
      byName.clear();
    }
  }

  long value() {
    long h = Arrays.hashCode(byIndex);
    return byName == null ? h : 31 * h + byName.hashCode();
  }
}
