package dev.optimizer.http.internal.cache;

import java.net.http.HttpHeaders;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The directives of the {@code Cache-Control} fields of a message (RFC 9111 §5.2), parsed once.
 * Names are case-insensitive; a directive given twice keeps its first value. A request's {@code
 * Pragma: no-cache} counts as {@code no-cache} when it has no {@code Cache-Control} (§5.4).
 */
final class CacheControl {
  static final CacheControl EMPTY = new CacheControl(Map.of());

  // Most origins send a handful of distinct Cache-Control values ("no-store", "max-age=60"), and a
  // response's is read on every miss: a parsed single value is kept, up to a bound on how many.
  private static final int MEMO_ENTRIES = 512;
  private static final int MEMO_MAX_LENGTH = 200;
  private static final ConcurrentHashMap<String, CacheControl> MEMO = new ConcurrentHashMap<>();

  private final Map<String, String> directives;

  private CacheControl(Map<String, String> directives) {
    this.directives = directives;
  }

  /** Parses the Cache-Control fields of a message (and Pragma, for requests). */
  static CacheControl of(HttpHeaders headers, boolean request) {
    List<String> values = headers.allValues("cache-control");
    if (values.isEmpty()) {
      if (request
          && headers.allValues("pragma").stream()
              .anyMatch(p -> p.toLowerCase(Locale.ROOT).contains("no-cache"))) {
        return new CacheControl(Map.of("no-cache", ""));
      }
      return EMPTY;
    }
    if (values.size() == 1) {
      String value = values.get(0);
      CacheControl known = MEMO.get(value);
      if (known != null) {
        return known;
      }
      CacheControl parsed = parseAll(values);
      if (value.length() <= MEMO_MAX_LENGTH && MEMO.size() < MEMO_ENTRIES) {
        MEMO.putIfAbsent(value, parsed);
      }
      return parsed;
    }
    return parseAll(values);
  }

  private static CacheControl parseAll(List<String> values) {
    Map<String, String> map = new HashMap<>();
    for (String value : values) {
      parse(value, map);
    }
    return new CacheControl(Collections.unmodifiableMap(map));
  }

  /** Parses one field value: comma-separated {@code token[=(token|quoted-string)]}. */
  static void parse(String value, Map<String, String> into) {
    int i = 0;
    int n = value.length();
    while (i < n) {
      while (i < n
          && (value.charAt(i) == ',' || value.charAt(i) == ' ' || value.charAt(i) == '\t')) {
        i++;
      }
      int start = i;
      while (i < n && value.charAt(i) != '=' && value.charAt(i) != ',') {
        i++;
      }
      String name = value.substring(start, i).trim().toLowerCase(Locale.ROOT);
      String arg = "";
      if (i < n && value.charAt(i) == '=') {
        i++;
        if (i < n && value.charAt(i) == '"') {
          int close = value.indexOf('"', i + 1);
          close = close < 0 ? n : close;
          arg = value.substring(i + 1, close);
          i = Math.min(n, close + 1);
          while (i < n && value.charAt(i) != ',') {
            i++;
          }
        } else {
          int argStart = i;
          while (i < n && value.charAt(i) != ',') {
            i++;
          }
          arg = value.substring(argStart, i).trim();
        }
      }
      if (!name.isEmpty()) {
        into.putIfAbsent(name, arg);
      }
    }
  }

  boolean has(String directive) {
    return directives.containsKey(directive);
  }

  /**
   * A delta-seconds argument (§1.2.2): -1 if absent, {@code Long.MAX_VALUE / 1000} when too large
   * to represent, 0 when present but not a number (the most careful reading).
   */
  long seconds(String directive) {
    String arg = directives.get(directive);
    if (arg == null) {
      return -1;
    }
    if (arg.isEmpty()) {
      return 0;
    }
    long v = 0;
    for (int i = 0; i < arg.length(); i++) {
      char c = arg.charAt(i);
      if (c < '0' || c > '9') {
        return 0;
      }
      v = v * 10 + (c - '0');
      if (v > 2_147_483_648L) {
        return 2_147_483_648L; // §1.2.2: treat as the largest value
      }
    }
    return v;
  }

  /** A directive's argument as given ("" when it has none), or null if absent. */
  String argument(String directive) {
    return directives.get(directive);
  }

  boolean isEmpty() {
    return directives.isEmpty();
  }

  @Override
  public String toString() {
    return directives.toString();
  }
}
