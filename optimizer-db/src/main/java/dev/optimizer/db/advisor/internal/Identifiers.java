package dev.optimizer.db.advisor.internal;

import java.util.List;
import java.util.stream.Collectors;

/** Quoting of SQL identifiers: every name the advisor writes into SQL goes through here. */
public final class Identifiers {
  private Identifiers() {}

  /** {@code "name"} with embedded quotes doubled (PostgreSQL, and MariaDB in ANSI_QUOTES mode). */
  public static String quote(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** {@code `name`} with embedded back-quotes doubled (MariaDB/MySQL). */
  public static String backQuote(String name) {
    return '`' + name.replace("`", "``") + '`';
  }

  /** {@code "schema"."name"}. */
  public static String qualified(String schema, String name) {
    return quote(schema) + "." + quote(name);
  }

  /** Quoted names separated by commas. */
  public static String list(List<String> names) {
    return names.stream().map(Identifiers::quote).collect(Collectors.joining(", "));
  }
}
