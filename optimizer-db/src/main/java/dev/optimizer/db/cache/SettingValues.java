package dev.optimizer.db.cache;

import dev.optimizer.api.internal.Checks;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** How the result-cache settings read table names and statement patterns, checked alike. */
final class SettingValues {
  private SettingValues() {}

  /**
   * A table name as the cache compares it: unqualified, unquoted, lower-case.
   *
   * @throws IllegalArgumentException naming {@code setting} if the name is blank
   */
  static String tableName(String setting, String name) {
    String n = Checks.notBlank(setting + " entry", name).trim();
    int dot = n.lastIndexOf('.');
    return (dot >= 0 ? n.substring(dot + 1) : n).replace("\"", "").toLowerCase(Locale.ROOT);
  }

  /**
   * A statement pattern.
   *
   * @throws IllegalArgumentException naming {@code setting} if it is blank or not a regular
   *     expression
   */
  static Pattern pattern(String setting, String regex) {
    Checks.notBlank(setting, regex);
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          setting + " must be a regular expression, but was '" + regex + "'", e);
    }
  }
}
