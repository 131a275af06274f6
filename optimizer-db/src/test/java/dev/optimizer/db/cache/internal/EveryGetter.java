package dev.optimizer.db.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Reads every column of a result's first row through every getter, to compare a cached result set
 * with the driver's own.
 */
final class EveryGetter {
  private EveryGetter() {}

  /**
   * Where the driver answers, the cache answers the same. Where the driver fails, the cache may
   * answer (its conversions serve other drivers too): that turns no working call into a failing
   * one.
   */
  static void assertAnswersAsTheDriver(List<String> cached, List<String> driver) {
    List<String> answered = new ArrayList<>();
    List<String> cachedAnswers = new ArrayList<>();
    for (int i = 0; i < driver.size(); i++) {
      if (!driver.get(i).endsWith(" = fails")) {
        answered.add(driver.get(i));
        cachedAnswers.add(cached.get(i));
      }
    }
    assertThat(cachedAnswers).containsExactlyElementsOf(answered);
  }

  /** Getters by name, each reading one column of the current row. */
  private interface Getter {
    Object read(ResultSet rs, int column) throws SQLException;
  }

  private static final java.util.Calendar UTC =
      java.util.Calendar.getInstance(java.util.TimeZone.getTimeZone("UTC"));

  private static final Map<String, Getter> GETTERS = getters();

  private static java.util.Map<String, Getter> getters() {
    java.util.Map<String, Getter> g = new java.util.LinkedHashMap<>();
    g.put("getString", ResultSet::getString);
    g.put("getObject", ResultSet::getObject);
    g.put("getBoolean", ResultSet::getBoolean);
    g.put("getByte", ResultSet::getByte);
    g.put("getShort", ResultSet::getShort);
    g.put("getInt", ResultSet::getInt);
    g.put("getLong", ResultSet::getLong);
    g.put("getFloat", ResultSet::getFloat);
    g.put("getDouble", ResultSet::getDouble);
    g.put("getBigDecimal", ResultSet::getBigDecimal);
    g.put("getBytes", ResultSet::getBytes);
    g.put("getDate", ResultSet::getDate);
    g.put("getTime", ResultSet::getTime);
    g.put("getTimestamp", ResultSet::getTimestamp);
    g.put("getDate(UTC)", (rs, c) -> rs.getDate(c, UTC));
    g.put("getTime(UTC)", (rs, c) -> rs.getTime(c, UTC));
    g.put("getTimestamp(UTC)", (rs, c) -> rs.getTimestamp(c, UTC));
    for (Class<?> type :
        List.of(
            String.class,
            Boolean.class,
            Short.class,
            Integer.class,
            Long.class,
            Float.class,
            Double.class,
            BigDecimal.class,
            byte[].class,
            java.util.UUID.class,
            java.sql.Date.class,
            java.sql.Time.class,
            Timestamp.class,
            java.time.LocalDate.class,
            java.time.LocalTime.class,
            java.time.LocalDateTime.class,
            java.time.OffsetDateTime.class,
            java.time.OffsetTime.class,
            java.time.Instant.class)) {
      g.put("getObject(" + type.getSimpleName() + ")", (rs, c) -> rs.getObject(c, type));
    }
    return g;
  }

  /** "column getter = value" for every column and getter of the first row; "fails" on failure. */
  static List<String> read(DataSource source, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = source.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).isTrue();
      for (int col = 1; col <= rs.getMetaData().getColumnCount(); col++) {
        String name = rs.getMetaData().getColumnLabel(col);
        for (var e : GETTERS.entrySet()) {
          String value;
          try {
            Object v = e.getValue().read(rs, col);
            value =
                v == null
                    ? "null"
                    : v.getClass().getSimpleName()
                        + " "
                        + (v instanceof byte[] b ? java.util.Arrays.toString(b) : v);
            if (v instanceof java.util.Date d) {
              value += " (" + d.getTime() + " ms)";
            }
          } catch (SQLException | RuntimeException failure) {
            // pgjdbc fails some conversions with a ClassCastException of its type.cast.
            value = "fails";
          }
          out.add(name + " " + e.getKey() + " = " + value);
        }
      }
    }
    return out;
  }
}
