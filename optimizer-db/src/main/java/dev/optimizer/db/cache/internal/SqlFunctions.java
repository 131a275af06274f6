package dev.optimizer.db.cache.internal;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.sf.jsqlparser.expression.AnalyticExpression;
import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.select.TableFunction;
import net.sf.jsqlparser.util.TablesNamesFinder;

/**
 * The functions a statement calls, for the result cache: a function of the application's own (or
 * one the cache does not know) may write any table and change the session ({@code set_config},
 * {@code SET ROLE} inside), none of which the statement's text says. A statement calling one is
 * never cached, invalidates everything and leaves its connection out of the cache until its session
 * is seen unchanged ({@link SessionState}).
 *
 * <p>Known are the built-in functions below, which neither write tables nor change the session
 * (some are not deterministic, like {@code now()}: the analyzer keeps those out of the cache by
 * their name). A schema-qualified name other than {@code pg_catalog.} is never known: the
 * application may have a function of that name.
 */
final class SqlFunctions {
  private static final Set<String> BUILT_IN =
      Set.of(
          // aggregates and window functions
          "COUNT",
          "SUM",
          "MIN",
          "MAX",
          "AVG",
          "STDDEV",
          "STDDEV_POP",
          "STDDEV_SAMP",
          "VARIANCE",
          "VAR_POP",
          "VAR_SAMP",
          "BOOL_AND",
          "BOOL_OR",
          "EVERY",
          "BIT_AND",
          "BIT_OR",
          "STRING_AGG",
          "ARRAY_AGG",
          "JSON_AGG",
          "JSONB_AGG",
          "JSON_OBJECT_AGG",
          "JSONB_OBJECT_AGG",
          "GROUP_CONCAT",
          "PERCENTILE_CONT",
          "PERCENTILE_DISC",
          "MODE",
          "ROW_NUMBER",
          "RANK",
          "DENSE_RANK",
          "PERCENT_RANK",
          "CUME_DIST",
          "NTILE",
          "LAG",
          "LEAD",
          "FIRST_VALUE",
          "LAST_VALUE",
          "NTH_VALUE",
          // conditionals and casts
          "COALESCE",
          "NULLIF",
          "GREATEST",
          "LEAST",
          "IFNULL",
          "IF",
          "NVL",
          "ISNULL",
          "CAST",
          "CONVERT",
          // text
          "LOWER",
          "UPPER",
          "LENGTH",
          "CHAR_LENGTH",
          "CHARACTER_LENGTH",
          "OCTET_LENGTH",
          "TRIM",
          "LTRIM",
          "RTRIM",
          "BTRIM",
          "SUBSTRING",
          "SUBSTR",
          "LEFT",
          "RIGHT",
          "CONCAT",
          "CONCAT_WS",
          "REPLACE",
          "POSITION",
          "STRPOS",
          "LOCATE",
          "INSTR",
          "LPAD",
          "RPAD",
          "REVERSE",
          "REPEAT",
          "INITCAP",
          "SPLIT_PART",
          "STRING_TO_ARRAY",
          "ARRAY_TO_STRING",
          "FORMAT",
          "TO_CHAR",
          "TO_NUMBER",
          "TO_DATE",
          "TO_TIMESTAMP",
          "MD5",
          "ENCODE",
          "DECODE",
          "REGEXP_REPLACE",
          "REGEXP_MATCHES",
          "REGEXP_LIKE",
          "ASCII",
          "CHR",
          "TRANSLATE",
          // numbers
          "ABS",
          "ROUND",
          "CEIL",
          "CEILING",
          "FLOOR",
          "TRUNC",
          "MOD",
          "POWER",
          "POW",
          "SQRT",
          "EXP",
          "LN",
          "LOG",
          "LOG10",
          "SIGN",
          "DIV",
          // dates and times
          "DATE_TRUNC",
          "DATE_PART",
          "EXTRACT",
          "AGE",
          "DATE_FORMAT",
          "DATE_ADD",
          "DATE_SUB",
          "DATEDIFF",
          "YEAR",
          "MONTH",
          "DAY",
          "HOUR",
          "MINUTE",
          "SECOND",
          "MAKE_DATE",
          "MAKE_TIMESTAMP",
          "MAKE_INTERVAL",
          "STR_TO_DATE",
          // JSON and arrays
          "JSON_BUILD_OBJECT",
          "JSONB_BUILD_OBJECT",
          "JSON_BUILD_ARRAY",
          "JSONB_BUILD_ARRAY",
          "ROW_TO_JSON",
          "TO_JSON",
          "TO_JSONB",
          "JSON_EXTRACT_PATH",
          "JSON_EXTRACT_PATH_TEXT",
          "JSONB_EXTRACT_PATH",
          "JSONB_EXTRACT_PATH_TEXT",
          "JSON_EXTRACT",
          "JSON_UNQUOTE",
          "JSON_OBJECT",
          "JSON_ARRAY",
          "JSON_ARRAY_ELEMENTS",
          "JSONB_ARRAY_ELEMENTS",
          "JSONB_SET",
          "ARRAY_LENGTH",
          "CARDINALITY",
          "UNNEST",
          "ARRAY_POSITION",
          "ARRAY_APPEND",
          "ARRAY_CAT",
          "GENERATE_SERIES",
          // not deterministic, never cached by name, but writing no table and no session state
          "NOW",
          "RANDOM",
          "RAND",
          "NEXTVAL",
          "CURRVAL",
          "SETVAL",
          "LASTVAL",
          "CLOCK_TIMESTAMP",
          "STATEMENT_TIMESTAMP",
          "TRANSACTION_TIMESTAMP",
          "TIMEOFDAY",
          "GEN_RANDOM_UUID",
          "UUID",
          "UUID_SHORT",
          "SYSDATE",
          "UNIX_TIMESTAMP",
          "UTC_TIMESTAMP",
          "UTC_DATE",
          "UTC_TIME",
          "CURDATE",
          "CURTIME",
          "CURRENT_TIMESTAMP",
          "CURRENT_DATE",
          "LOCALTIMESTAMP",
          "LAST_INSERT_ID",
          "ROW_COUNT",
          "FOUND_ROWS",
          "CONNECTION_ID",
          "SLEEP",
          "PG_SLEEP",
          "CURRENT_SETTING",
          "TXID_CURRENT",
          "PG_BACKEND_PID",
          "PG_TYPEOF",
          "VERSION",
          "DATABASE",
          "CURRENT_DATABASE",
          "CURRENT_SCHEMA",
          "GET_LOCK",
          "RELEASE_LOCK",
          "IS_FREE_LOCK",
          "PG_ADVISORY_LOCK",
          "PG_ADVISORY_UNLOCK",
          "PG_TRY_ADVISORY_LOCK",
          "PG_ADVISORY_XACT_LOCK",
          "PG_TRY_ADVISORY_XACT_LOCK",
          "PG_ADVISORY_LOCK_SHARED",
          "PG_ADVISORY_UNLOCK_SHARED",
          "PG_ADVISORY_UNLOCK_ALL");

  /**
   * Reserved words that JSqlParser reads as the name of a function when a parenthesis follows: the
   * array comparisons {@code x = ANY(?)}, {@code ALL(?)}, {@code SOME(?)} (an array parameter,
   * PostgreSQL's usual IN list, and Hibernate's batch fetch), {@code ARRAY(SELECT ..)} and {@code
   * ROW(a, b)}. They are syntax, not functions, and no function can have these names unquoted
   * (quoted, as in {@code "any"(x)}, the name keeps its quotes and is not one of these).
   */
  private static final Set<String> SYNTAX = Set.of("ANY", "ALL", "SOME", "ARRAY", "ROW");

  /**
   * Words the sanitized text may show in front of a parenthesis that are not calls: keywords
   * (upper-cased by the normalizer) and type names with a length or precision. Only used for text
   * the parser cannot read.
   */
  private static final Set<String> NOT_CALLS =
      Set.of(
          "IN",
          "EXISTS",
          "ANY",
          "ALL",
          "SOME",
          "VALUES",
          "USING",
          "OVER",
          "AS",
          "ON",
          "AND",
          "OR",
          "NOT",
          "WHERE",
          "SELECT",
          "BY",
          "FILTER",
          "WITHIN",
          "GROUP",
          "ROW",
          "ARRAY",
          "LATERAL",
          "JOIN",
          "FROM",
          "CASE",
          "WHEN",
          "THEN",
          "ELSE",
          "IS",
          "LIKE",
          "ILIKE",
          "BETWEEN",
          "HAVING",
          "LIMIT",
          "OFFSET",
          "FETCH",
          "DISTINCT",
          "WITH",
          "RECURSIVE",
          "INTO",
          "SET",
          "RETURNING",
          "UNION",
          "EXCEPT",
          "INTERSECT",
          "CONFLICT",
          "KEY",
          "DO",
          "TABLE",
          "VARCHAR",
          "CHAR",
          "CHARACTER",
          "VARYING",
          "NUMERIC",
          "DECIMAL",
          "TIMESTAMP",
          "TIME",
          "INTERVAL",
          "FLOAT",
          "BIT",
          "PRIMARY",
          "UNIQUE",
          "CHECK",
          "REFERENCES",
          "WINDOW",
          "PARTITION",
          "SYSTEM",
          "BERNOULLI");

  /**
   * A name in front of a parenthesis, not right after {@code INTO}, {@code WITH}, {@code RECURSIVE}
   * or {@code AS} (a table's or a CTE's column list; the normalizer leaves single spaces).
   */
  private static final Pattern CALL =
      Pattern.compile(
          "(?<!\\b(?:INTO|WITH|RECURSIVE|AS) )(?<![\\w$.\"])((?:\"[^\"]+\"|[A-Za-z_][\\w$]*)(?:\\s*\\.\\s*(?:\"[^\"]+\"|[A-Za-z_][\\w$]*))*)\\s*\\(");

  private SqlFunctions() {}

  /** Whether {@code name} (as written, possibly qualified) is a built-in the cache knows. */
  static boolean known(String name) {
    String n = name.replace("\"", "").replace("`", "").trim().toUpperCase(Locale.ROOT);
    int dot = n.lastIndexOf('.');
    if (dot >= 0) {
      if (!n.substring(0, dot).trim().equals("PG_CATALOG")) {
        return false;
      }
      n = n.substring(dot + 1).trim();
    }
    return BUILT_IN.contains(n);
  }

  /**
   * What one walk of a parsed statement finds: the tables it names (as written) and the functions
   * it calls that the cache does not know.
   */
  record Walk(Set<String> tables, Set<String> unknown) {}

  /** Walks a parsed statement once, for its tables and its unknown functions. */
  static Walk walk(Statement parsed) {
    Set<String> out = new HashSet<>();
    Set<String> tables =
        new TablesNamesFinder<Void>() {
          @Override
          public <S> Void visit(Function function, S context) {
            note(function.getName());
            return super.visit(function, context);
          }

          @Override
          public <S> Void visit(AnalyticExpression expression, S context) {
            note(expression.getName());
            return super.visit(expression, context);
          }

          @Override
          public <S> Void visit(TableFunction function, S context) {
            if (function.getFunction() != null) {
              note(function.getFunction().getName());
            }
            return super.visit(function, context);
          }

          private void note(String name) {
            if (name != null && SYNTAX.contains(name.toUpperCase(Locale.ROOT))) {
              return; // the parser's "function" for a construct of the language, not a call
            }
            if (name == null || !known(name)) {
              out.add(String.valueOf(name));
            }
          }
        }.getTables(parsed);
    return new Walk(tables, out);
  }

  /**
   * Whether sanitized text the parser could not read seems to call a function the cache does not
   * know: any name in front of a parenthesis that is neither a keyword nor a known built-in. It may
   * take a table's column list for a call; that costs an invalidation, never a stale read.
   */
  static boolean mayCallUnknown(String text) {
    Matcher m = CALL.matcher(text);
    while (m.find()) {
      String name = m.group(1);
      if (!NOT_CALLS.contains(name.toUpperCase(Locale.ROOT)) && !known(name)) {
        return true;
      }
    }
    return false;
  }
}
