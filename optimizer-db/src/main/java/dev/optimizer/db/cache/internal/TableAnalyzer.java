package dev.optimizer.db.cache.internal;

import dev.optimizer.db.cache.internal.StatementTables.Kind;
import dev.optimizer.db.internal.StatementKey;
import dev.optimizer.db.internal.sql.SqlParsers;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.sf.jsqlparser.statement.Statement;

/**
 * Tells, once per fingerprint, which tables a statement reads or writes and whether a query may be
 * cached. Tables come from JSqlParser, on the sanitized text (no literal values), with a size and a
 * time limit; whatever cannot be understood is treated as the worst case — a query that is not
 * cached, a write that invalidates everything — and never becomes an error for the application.
 *
 * <p>Non-determinism is found in the text: time and random functions, sequences, locking reads,
 * {@code SELECT ... INTO}, sampling. A function the cache does not know that reads other tables, a
 * view, or a trigger are the {@link TableCatalog}'s part.
 */
public final class TableAnalyzer {
  /** Longer statements are not parsed: pathological inputs make the parser slow. */
  static final int MAX_PARSED_LENGTH = 16_384;

  private static final long PARSE_TIMEOUT_MILLIS = 500;

  private static final Pattern NON_DETERMINISTIC =
      Pattern.compile(
          "\\b(NOW|RANDOM|RAND|NEXTVAL|CURRVAL|SETVAL|LASTVAL|CLOCK_TIMESTAMP|STATEMENT_TIMESTAMP"
              + "|TRANSACTION_TIMESTAMP|TIMEOFDAY|GEN_RANDOM_UUID|UUID_GENERATE_\\w+|UUID|UUID_SHORT"
              + "|SYS_GUID|NEWID|SYSDATE|SYSDATETIME|GETDATE|UNIX_TIMESTAMP|UTC_TIMESTAMP|UTC_DATE"
              + "|UTC_TIME|CURDATE|CURTIME|LAST_INSERT_ID|ROW_COUNT|FOUND_ROWS|CONNECTION_ID"
              + "|TXID_\\w+|PG_\\w+|SLEEP|BENCHMARK|GET_LOCK|RELEASE_LOCK|IS_FREE_LOCK|SET_CONFIG"
              + "|CURRENT_SETTING|INET_\\w+|LO_\\w+|DBLINK\\w*|RANDOM_\\w+)\\s*\\("
              + "|\\b(CURRENT_TIMESTAMP|CURRENT_DATE|CURRENT_TIME|LOCALTIME|LOCALTIMESTAMP"
              + "|SYSTIMESTAMP)\\b"
              + "|\\bNEXT\\s+VALUE\\s+FOR\\b|\\bTABLESAMPLE\\b",
          Pattern.CASE_INSENSITIVE);

  private static final Pattern LOCKING =
      Pattern.compile(
          "\\bFOR\\s+(NO\\s+KEY\\s+)?UPDATE\\b|\\bFOR\\s+(KEY\\s+)?SHARE\\b"
              + "|\\bLOCK\\s+IN\\s+SHARE\\s+MODE\\b",
          Pattern.CASE_INSENSITIVE);

  private static final Pattern SELECT_INTO =
      Pattern.compile("^\\s*SELECT\\b.*\\bINTO\\b", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);

  /**
   * PostgreSQL's {@code SELECT ... INTO [LOCAL | GLOBAL] TEMP[ORARY] [TABLE] t}: a temporary table,
   * like {@code CREATE TEMP TABLE t AS}, that its connection reads in front of a table of the same
   * name.
   */
  private static final Pattern SELECT_INTO_TEMP =
      Pattern.compile(
          "\\bINTO\\s+((GLOBAL|LOCAL)\\s+)?(TEMP|TEMPORARY)\\s+(TABLE\\s+)?([^\\s(,]+)",
          Pattern.CASE_INSENSITIVE);

  /**
   * A MySQL/MariaDB user variable ({@code @v}, {@code @`v`}, {@code @'v'}; {@code @"v"} is left as
   * {@code @ ?} by the sanitizer), not a system variable ({@code @@v}) nor PostgreSQL's {@code @>}.
   * {@code SELECT @v := ..} and {@code SELECT .. INTO @v} set one without a SET: its value is the
   * connection's and in no cache key, so a query that reads or sets one is not cached. (A view
   * cannot read one, a function that does is never cached anyway, so the query's own text is where
   * one is read.) On PostgreSQL {@code @x} is the absolute value: not cached either, a small loss.
   */
  private static final Pattern USER_VARIABLE = Pattern.compile("(?<!@)@(?=[\\w$.`'\"]|\\s*\\?)");

  /** MySQL's {@code SELECT ... INTO @v}: sets user variables, creates no table. */
  private static final Pattern INTO_VARIABLE =
      Pattern.compile("\\bINTO\\s+@(?!@)", Pattern.CASE_INSENSITIVE);

  private static final Pattern CREATE_TEMP =
      Pattern.compile(
          "^\\s*CREATE\\s+(GLOBAL\\s+|LOCAL\\s+)?(TEMP|TEMPORARY)\\s+TABLE\\s+"
              + "(IF\\s+NOT\\s+EXISTS\\s+)?([^\\s(]+)",
          Pattern.CASE_INSENSITIVE);

  /**
   * {@code set_config(name, value, is_local)} is PostgreSQL's SET as a function: it changes the
   * search path, the role or a setting a row-level security policy reads, like SET does.
   */
  private static final Pattern SET_CONFIG =
      Pattern.compile("\\bSET_CONFIG\\s*\\(", Pattern.CASE_INSENSITIVE);

  /**
   * {@code TRUNCATE ... CASCADE} also empties every table with a foreign key to the named ones,
   * whatever its {@code ON DELETE} rule, which the catalog's cascades do not follow.
   */
  private static final Pattern TRUNCATE_CASCADE =
      Pattern.compile("\\bCASCADE\\b", Pattern.CASE_INSENSITIVE);

  /** {@code ROLLBACK TO SAVEPOINT}: ends no transaction. */
  private static final Pattern ROLLBACK_TO = Pattern.compile("\\bTO\\b", Pattern.CASE_INSENSITIVE);

  /** EXPLAIN ANALYZE runs the statement; PostgreSQL also takes the British spelling. */
  private static final Pattern EXPLAIN_ANALYZE =
      Pattern.compile("\\bANALY[SZ]E\\b", Pattern.CASE_INSENSITIVE);

  private static final Pattern WRITE_WORD =
      Pattern.compile("\\b(INSERT|UPDATE|DELETE|MERGE|UPSERT|REPLACE)\\b");

  private TableAnalyzer() {}

  /** Analyses one statement; never throws. */
  public static StatementTables analyze(StatementKey key) {
    try {
      return classify(key);
    } catch (RuntimeException | StackOverflowError e) {
      return StatementTables.of(Kind.WRITE_ALL, "could not be analysed");
    }
  }

  private static StatementTables classify(StatementKey key) {
    String text = key.text();
    String op = key.operation().toUpperCase(Locale.ROOT);
    if (text.indexOf(';') >= 0) {
      // The sanitized text has no literals, no comments and no trailing semicolon: this one
      // separates statements (or is in a quoted name, which costs an invalidation only).
      return several(key, text);
    }
    if (SET_CONFIG.matcher(text).find()) {
      Parsed parsed = query(op) && !WRITE_WORD.matcher(key.summary()).find() ? parse(text) : null;
      return parsed != null && parsed.onlySetConfig()
          ? StatementTables.of(Kind.SESSION, "changes a setting (set_config)")
          : StatementTables.of(Kind.WRITE_ALL_SESSION, "changes a setting (set_config) and writes");
    }
    switch (op) {
      case "SELECT":
      case "VALUES":
      case "TABLE":
      case "WITH":
        return query(key, text);
      case "INSERT":
      case "UPDATE":
      case "DELETE":
      case "MERGE":
      case "UPSERT":
      case "REPLACE":
        return write(text);
      case "TRUNCATE":
        return TRUNCATE_CASCADE.matcher(text).find()
            ? StatementTables.of(
                Kind.WRITE_ALL, "TRUNCATE ... CASCADE empties the tables referencing it")
            : write(text);
      case "SET":
      case "RESET":
      case "USE":
        return StatementTables.of(Kind.SESSION, "changes the session");
      case "BEGIN":
      case "START":
      case "START TRANSACTION":
        return StatementTables.of(Kind.BEGIN, "starts a transaction");
      case "COMMIT":
      case "END":
        return StatementTables.of(Kind.COMMIT, "ends a transaction");
      case "ROLLBACK":
      case "ABORT":
        return ROLLBACK_TO.matcher(text).find()
            ? StatementTables.of(Kind.NEUTRAL, "rolls back to a savepoint")
            : StatementTables.of(Kind.ROLLBACK, "ends a transaction");
      case "SHOW":
      case "SAVEPOINT":
      case "RELEASE":
      case "DESCRIBE":
      case "DESC":
        return StatementTables.of(Kind.NEUTRAL, "not a query of tables");
      case "EXPLAIN":
        return EXPLAIN_ANALYZE.matcher(text).find()
            ? StatementTables.of(Kind.WRITE_ALL, "EXPLAIN ANALYZE runs the statement")
            : StatementTables.of(Kind.NEUTRAL, "a plan, not a query");
      case "CALL":
      case "DO":
      case "DECLARE":
      case "FETCH":
      case "MOVE":
      case "EXECUTE":
      case "EXEC":
      case "DISCARD":
      case "LOAD":
        // Runs code the text does not show (a procedure, a block, a cursor's query, a prepared
        // statement), which may write anything and change the session; DISCARD and LOAD change it.
        return StatementTables.of(
            Kind.WRITE_ALL_MAYBE_SESSION, "runs code that may write or change the session");
      default:
        {
          Matcher temp = CREATE_TEMP.matcher(text);
          if (temp.find()) {
            return new StatementTables(
                Kind.WRITE_ALL, Set.of(), "creates a temporary table", tableName(temp.group(4)));
          }
          return StatementTables.of(Kind.WRITE_ALL, "may change anything (" + op + ")");
        }
    }
  }

  /**
   * Several statements in one string: a write of everything, and {@link Kind#SEVERAL} (the
   * connection left out of the cache, the lease's transaction state unknown) only when one of them
   * changes the session or the transaction, or creates a temporary table. A schema script ({@code
   * CREATE TABLE ..; INSERT ..}) so costs one invalidation, not its connection's cache for good.
   */
  private static StatementTables several(StatementKey key, String text) {
    for (String part : text.split(";")) {
      String p = part.strip();
      if (p.isEmpty()) {
        continue;
      }
      int end = 0;
      while (end < p.length() && Character.isLetter(p.charAt(end))) {
        end++;
      }
      String op = p.substring(0, end).toUpperCase(Locale.ROOT);
      StatementTables t = classify(new StatementKey(key.id(), p, op, "", p));
      boolean plain =
          t.temporaryTable() == null
              && (t.kind() == Kind.READ
                  || t.kind() == Kind.WRITE
                  || t.kind() == Kind.WRITE_ALL
                  || t.kind() == Kind.NEUTRAL);
      if (!plain) {
        return StatementTables.of(
            Kind.SEVERAL, "several statements, changing the session or the transaction");
      }
    }
    return StatementTables.of(Kind.WRITE_ALL, "several statements");
  }

  private static boolean query(String op) {
    return op.equals("SELECT") || op.equals("VALUES") || op.equals("TABLE") || op.equals("WITH");
  }

  private static StatementTables query(StatementKey key, String text) {
    if (WRITE_WORD.matcher(key.summary()).find()) {
      // A data-modifying WITH (PostgreSQL): a write of every table it names.
      return write(text);
    }
    if (SELECT_INTO.matcher(text).find()
        && !text.toUpperCase(Locale.ROOT).contains("INTO ?")
        && !INTO_VARIABLE.matcher(text).find()) {
      Matcher temp = SELECT_INTO_TEMP.matcher(text);
      if (temp.find()) {
        return new StatementTables(
            Kind.WRITE_ALL, Set.of(), "creates a temporary table", tableName(temp.group(5)));
      }
      return StatementTables.of(Kind.WRITE_ALL, "SELECT ... INTO creates a table");
    }
    Parsed parsed = parse(text);
    if (callsUnknown(parsed, text)) {
      return CALLS_UNKNOWN;
    }
    Set<String> tables = parsed == null ? null : parsed.tables();
    Set<String> read = tables == null ? Set.of() : tables;
    if (text.indexOf('@') >= 0 && USER_VARIABLE.matcher(text).find()) {
      return StatementTables.read(read, "reads or sets a user variable");
    }
    if (LOCKING.matcher(text).find()) {
      return StatementTables.read(read, "a locking read");
    }
    if (NON_DETERMINISTIC.matcher(text).find()) {
      return StatementTables.read(read, "not deterministic");
    }
    if (tables == null) {
      return StatementTables.read(read, "could not be parsed");
    }
    if (tables.isEmpty()) {
      return StatementTables.read(read, "reads no table");
    }
    return StatementTables.read(read, null);
  }

  /**
   * A function the cache does not know may write any table and change the session: the statement is
   * not cached, invalidates everything and leaves its connection out until its session is seen
   * unchanged ({@link SqlFunctions}, {@link SessionState}).
   */
  private static final StatementTables CALLS_UNKNOWN =
      StatementTables.of(
          Kind.WRITE_ALL_MAYBE_SESSION, "calls a function that may write or change the session");

  private static StatementTables write(String text) {
    Parsed parsed = parse(text);
    if (callsUnknown(parsed, text)) {
      return CALLS_UNKNOWN;
    }
    return parsed == null || parsed.tables().isEmpty()
        ? StatementTables.of(Kind.WRITE_ALL, "a write whose tables are unknown")
        : StatementTables.write(parsed.tables());
  }

  private static boolean callsUnknown(Parsed parsed, String text) {
    return parsed == null ? SqlFunctions.mayCallUnknown(text) : parsed.callsUnknown();
  }

  /**
   * What the parser read: the tables a statement names (lower-case, unqualified), and whether it
   * calls a function the cache does not know.
   */
  private record Parsed(Set<String> tables, Set<String> unknownFunctions) {
    boolean callsUnknown() {
      return !unknownFunctions.isEmpty();
    }

    /** Whether the only function it calls that the cache does not know is set_config. */
    boolean onlySetConfig() {
      return unknownFunctions.stream().allMatch(f -> tableName(f).equals("set_config"));
    }
  }

  /** What the parser reads in the text; null when it cannot. */
  private static Parsed parse(String text) {
    if (text.length() > MAX_PARSED_LENGTH) {
      return null;
    }
    try {
      Statement parsed = SqlParsers.parse(text, PARSE_TIMEOUT_MILLIS);
      SqlFunctions.Walk walk = SqlFunctions.walk(parsed); // one walk for tables and functions
      Set<String> out = new HashSet<>();
      for (String n : walk.tables()) {
        out.add(tableName(n));
      }
      return new Parsed(out, walk.unknown());
    } catch (Exception | StackOverflowError e) {
      return null;
    }
  }

  /** {@code Public."Users"} → {@code users}: the last part, unquoted, lower-case. */
  public static String tableName(String qualified) {
    String n = qualified.trim();
    int dot = n.lastIndexOf('.');
    if (dot >= 0) {
      n = n.substring(dot + 1);
    }
    return n.replace("\"", "")
        .replace("`", "")
        .replace("[", "")
        .replace("]", "")
        .toLowerCase(Locale.ROOT);
  }
}
