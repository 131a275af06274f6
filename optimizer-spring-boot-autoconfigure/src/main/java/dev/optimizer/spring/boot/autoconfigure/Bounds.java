package dev.optimizer.spring.boot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.springframework.util.unit.DataSize;

/**
 * Range checks for the {@code optimizer.*} setters. Each message names the property (as written in
 * {@code application.properties}), the allowed range and the value given, e.g. {@code
 * "optimizer.db.n-plus-one-threshold must be in [2, 100000], but was 1"}; Spring reports it with
 * the property's origin and stops start-up. The ranges are the module builders' own.
 */
final class Bounds {
  private Bounds() {}

  static int check(String property, int value, int min, int max) {
    if (value < min || value > max) {
      throw outOfRange(property, min, max, value);
    }
    return value;
  }

  static long check(String property, long value, long min, long max) {
    if (value < min || value > max) {
      throw outOfRange(property, min, max, value);
    }
    return value;
  }

  static double check(String property, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      throw outOfRange(property, fmt(min), fmt(max), fmt(value));
    }
    return value;
  }

  static Duration check(String property, Duration value, Duration min, Duration max) {
    notNull(property, value);
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw outOfRange(property, format(min), format(max), format(value));
    }
    return value;
  }

  static DataSize check(String property, DataSize value, long minBytes, long maxBytes) {
    notNull(property, value);
    if (value.toBytes() < minBytes || value.toBytes() > maxBytes) {
      throw outOfRange(property, format(minBytes), format(maxBytes), format(value.toBytes()));
    }
    return value;
  }

  /**
   * Checks that no entry is blank (what a stray comma binds: {@code a,} is {@code [a, ""]}); the
   * message names the property and the whole list, each entry quoted so that the blank one shows.
   */
  static List<String> entries(String property, List<String> values) {
    List<String> checked = values == null ? new ArrayList<>() : new ArrayList<>(values);
    for (String v : checked) {
      if (v == null || v.isBlank()) {
        StringBuilder list = new StringBuilder("[");
        for (String e : checked) {
          list.append(list.length() > 1 ? ", '" : "'").append(e == null ? "" : e).append('\'');
        }
        throw new IllegalArgumentException(
            property + " must not have a blank entry, but was " + list.append(']'));
      }
    }
    return checked;
  }

  /**
   * Checks that each entry is a regular expression, and not blank (see {@link #entries}); the
   * message names the property, the entry and the syntax error.
   */
  static List<String> regexes(String property, List<String> values) {
    List<String> checked = new ArrayList<>();
    for (String p : entries(property, values)) {
      try {
        Pattern.compile(p);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            property + " must be regular expressions, but '" + p + "' is not: " + e.getMessage(),
            e);
      }
      checked.add(p);
    }
    return checked;
  }

  static <T> T notNull(String property, T value) {
    if (value == null) {
      throw new IllegalArgumentException(property + " must not be empty");
    }
    return value;
  }

  private static IllegalArgumentException outOfRange(
      String property, Object min, Object max, Object value) {
    return new IllegalArgumentException(
        property + " must be in [" + min + ", " + max + "], but was " + value);
  }

  private static String fmt(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }

  /** A duration as a person writes it in a property ({@code 500ms}, {@code 2s}, {@code 1h}). */
  static String format(Duration d) {
    long ms = d.toMillis();
    if (d.isZero()) {
      return "0";
    }
    if (d.toNanos() % 1_000_000 != 0 || ms == 0) {
      return d.toString();
    }
    long[] units = {86_400_000L, 3_600_000L, 60_000L, 1000L, 1L};
    String[] names = {"d", "h", "m", "s", "ms"};
    for (int i = 0; i < units.length; i++) {
      if (ms % units[i] == 0) {
        return (ms / units[i]) + names[i];
      }
    }
    return ms + "ms";
  }

  /** A size as a person writes it in a property ({@code 64MB}; Spring's units are powers of 2). */
  static String format(long bytes) {
    String[] names = {"TB", "GB", "MB", "KB"};
    for (int i = 0; i < names.length; i++) {
      long unit = 1L << (10 * (4 - i));
      if (bytes != 0 && bytes % unit == 0) {
        return String.format(Locale.ROOT, "%d%s", bytes / unit, names[i]);
      }
    }
    return bytes + "B";
  }
}
