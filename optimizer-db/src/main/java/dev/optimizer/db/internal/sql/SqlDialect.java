package dev.optimizer.db.internal.sql;

import java.util.Locale;

/**
 * The SQL dialects whose literal, identifier and comment syntax the {@link SqlLexer} knows. Only
 * what changes how a statement is cut into tokens differs between them; the grammar above that is
 * shared.
 *
 * <p>{@link #GENERIC} follows standard SQL: {@code '..'} strings without backslash escapes, {@code
 * ".."} identifiers, {@code --} and non-nesting {@code /* *}{@code /} comments. It is the choice
 * for a product not listed.
 */
public enum SqlDialect {
  /**
   * PostgreSQL: {@code E''} and dollar-quoted strings, nesting block comments, {@code ::} casts.
   */
  POSTGRESQL(false, false, false, true, true, false, false),
  /**
   * MySQL and MariaDB: backslash escapes, {@code ".."} strings (ANSI_QUOTES off, the default),
   * backtick identifiers, {@code #} and {@code -- } comments, {@code /*! *}{@code /} version
   * comments whose content is lexed as SQL.
   */
  MYSQL(true, true, true, false, false, true, false),
  /** H2: standard strings, {@code $$} strings, {@code //} line comments. */
  H2(false, false, false, false, true, false, true),
  /** Any other database: standard SQL literal syntax. */
  GENERIC(false, false, false, false, false, false, false),
  /**
   * A database not known yet (a data source that does not say what it talks to until a connection
   * is asked): every construct that is a value in some dialect is lexed as one, so that no value
   * reaches the text whatever the database: {@code ".."} strings, backslash escapes, {@code $$}
   * strings, and {@code #} starts a comment (dropped from the text). The text may read less well
   * than in the right dialect; it never carries a value that the right dialect would have hidden.
   */
  CONSERVATIVE(true, true, true, false, true, false, false);

  private final boolean backslashEscapes;
  private final boolean doubleQuotedStrings;
  private final boolean hashComments;
  private final boolean nestedComments;
  private final boolean dollarQuotes;
  private final boolean mysqlLexing;
  private final boolean doubleSlashComments;

  SqlDialect(
      boolean backslashEscapes,
      boolean doubleQuotedStrings,
      boolean hashComments,
      boolean nestedComments,
      boolean dollarQuotes,
      boolean mysqlLexing,
      boolean doubleSlashComments) {
    this.backslashEscapes = backslashEscapes;
    this.doubleQuotedStrings = doubleQuotedStrings;
    this.hashComments = hashComments;
    this.nestedComments = nestedComments;
    this.dollarQuotes = dollarQuotes;
    this.mysqlLexing = mysqlLexing;
    this.doubleSlashComments = doubleSlashComments;
  }

  /**
   * The dialect of a JDBC URL such as {@code jdbc:postgresql://host/db}, also through wrapping
   * drivers ({@code jdbc:tc:postgresql:16:///db}, {@code jdbc:otel:mariadb://..}); {@link #GENERIC}
   * for a null, unknown or non-JDBC URL, because a statement must still be fingerprinted.
   */
  public static SqlDialect fromJdbcUrl(String jdbcUrl) {
    if (jdbcUrl == null) {
      return GENERIC;
    }
    String url = jdbcUrl.trim().toLowerCase(Locale.ROOT);
    if (!url.startsWith("jdbc:")) {
      return GENERIC;
    }
    // Only the sub-protocol part names the product; the host or database name after "//" might
    // happen to contain "mysql" or "h2".
    int slashes = url.indexOf("//");
    String protocol = slashes < 0 ? url : url.substring(0, slashes);
    for (String segment : protocol.split("[:;]")) {
      SqlDialect dialect = fromProtocolSegment(segment);
      if (dialect != GENERIC) {
        return dialect;
      }
    }
    return GENERIC;
  }

  /**
   * The dialect of a {@code DatabaseMetaData.getDatabaseProductName()} value such as {@code
   * "PostgreSQL"}, {@code "MySQL"}, {@code "MariaDB"} or {@code "H2"}; {@link #GENERIC} for a null
   * or unknown name.
   */
  public static SqlDialect fromProductName(String productName) {
    if (productName == null) {
      return GENERIC;
    }
    String name = productName.trim().toLowerCase(Locale.ROOT);
    if (name.contains("postgres")) {
      return POSTGRESQL;
    }
    if (name.contains("mysql") || name.contains("mariadb")) {
      return MYSQL;
    }
    if (name.equals("h2") || name.startsWith("h2 ")) {
      return H2;
    }
    return GENERIC;
  }

  private static SqlDialect fromProtocolSegment(String segment) {
    switch (segment) {
      case "postgresql":
      case "postgres":
      case "pgsql":
      case "yugabytedb":
      case "redshift":
        return POSTGRESQL;
      case "mysql":
      case "mariadb":
        return MYSQL;
      case "h2":
        return H2;
      default:
        return GENERIC;
    }
  }

  /** Backslash escapes inside {@code '..'} (and {@code ".."}) strings. */
  boolean backslashEscapes() {
    return backslashEscapes;
  }

  /** {@code ".."} is a string literal rather than a quoted identifier. */
  boolean doubleQuotedStrings() {
    return doubleQuotedStrings;
  }

  /** {@code #} starts a line comment. */
  boolean hashComments() {
    return hashComments;
  }

  /** Block comments nest, as in PostgreSQL. */
  boolean nestedComments() {
    return nestedComments;
  }

  /** {@code $$..$$} and {@code $tag$..$tag$} strings. */
  boolean dollarQuotes() {
    return dollarQuotes;
  }

  /**
   * MySQL's lexical quirks: {@code --} starts a comment only when followed by whitespace, {@code
   * /*!} version comments, identifiers that start with a digit or {@code $}.
   */
  boolean mysqlLexing() {
    return mysqlLexing;
  }

  /** {@code //} starts a line comment, as in H2. */
  boolean doubleSlashComments() {
    return doubleSlashComments;
  }
}
