package dev.optimizer.db.internal.sql;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Derives the operation name, the main collection and the OpenTelemetry {@code db.query.summary}
 * ("{operation} {target} {operation} {target} ...", in the order they appear, at most 255
 * characters and never cut inside a name) from the stream of <em>normalized</em> tokens that {@link
 * SqlNormalizer} writes. Fed only what the normalized text holds, one fingerprint has one summary,
 * and no literal can reach it.
 *
 * <p>This is a token-level state machine, not a parser. It takes an operation keyword where a
 * statement or subquery can start ({@code SELECT} anywhere; {@code UPDATE} not after {@code FOR},
 * {@code DO}, {@code ON} or {@code KEY}); a target after {@code FROM}/{@code JOIN} (and the commas
 * of a {@code FROM} list), {@code INSERT [INTO]}, {@code UPDATE}, {@code DELETE FROM}, {@code MERGE
 * INTO .. USING}, {@code CALL}, and {@code CREATE/ALTER/DROP <object>}. A {@code FROM} counts only
 * at the parenthesis depth of an operation, so {@code EXTRACT(YEAR FROM ts)} names no table.
 * Operations are written upper-case (their normalized form) so that case variants share a summary;
 * a table named like a keyword is not recognized as a target.
 *
 * <p>The main operation is the first one outside parentheses ({@code WITH .. SELECT} gives {@code
 * SELECT}); the main collection is given only when that operation names exactly one target outside
 * parentheses, which is not a CTE, and no set operation ({@code UNION}, ..) joins another query,
 * following the convention's advice to leave {@code db.collection.name} out when ambiguous. Not
 * thread-safe: use one per statement.
 */
final class QuerySummarizer {

  /** The limit the convention sets for {@code db.query.summary}. */
  static final int MAX_SUMMARY_LENGTH = 255;

  private static final int MAX_TRACKED_DEPTH = 63;
  private static final int MAX_CTE_NAMES = 16;

  /** What {@link #finish} found; {@code operation} is empty and collection null if unknown. */
  record Summary(String operation, String collection, String text) {}

  private static final boolean[] DML =
      Keywords.setOf(
          "INSERT UPDATE DELETE MERGE REPLACE UPSERT CALL TRUNCATE CREATE ALTER DROP EXPLAIN");
  private static final boolean[] UTILITY =
      Keywords.setOf(
          "BEGIN START COMMIT ROLLBACK SAVEPOINT RELEASE SET SHOW DESCRIBE USE GRANT REVOKE LOCK"
              + " UNLOCK VACUUM ANALYZE COPY EXECUTE EXEC PREPARE DEALLOCATE DECLARE FETCH CLOSE"
              + " LISTEN NOTIFY RESET DISCARD REFRESH REINDEX CHECKPOINT ABORT DO RENAME VALUES"
              + " TABLE");
  private static final boolean[] TARGET_FOLLOWS =
      Keywords.setOf("INSERT REPLACE UPSERT MERGE CALL");
  private static final boolean[] TARGET_LIST_FOLLOWS = Keywords.setOf("UPDATE TRUNCATE");
  private static final boolean[] DDL_VERBS = Keywords.setOf("CREATE ALTER DROP");
  private static final boolean[] DDL_OBJECTS =
      Keywords.setOf(
          "TABLE INDEX VIEW SEQUENCE SCHEMA DATABASE FUNCTION PROCEDURE TRIGGER EXTENSION");
  private static final boolean[] DDL_MODIFIERS =
      Keywords.setOf("OR REPLACE UNIQUE TEMPORARY TEMP MATERIALIZED IF NOT EXISTS CONCURRENTLY");
  private static final boolean[] SKIPPED_BEFORE_TARGET =
      Keywords.setOf(
          "INTO IGNORE ONLY LATERAL TABLE IF NOT EXISTS LOW_PRIORITY HIGH_PRIORITY DELAYED"
              + " CONCURRENTLY");
  private static final boolean[] CLAUSE_ENDS =
      Keywords.setOf(
          "WHERE GROUP ORDER HAVING LIMIT OFFSET FETCH SET VALUES RETURNING UNION INTERSECT EXCEPT"
              + " MINUS WINDOW FOR");
  private static final boolean[] SET_OPERATIONS = Keywords.setOf("UNION INTERSECT EXCEPT MINUS");

  private final StringBuilder summary = new StringBuilder();
  private boolean summaryFull;

  private int depth;
  private final int[] operationAt = new int[MAX_TRACKED_DEPTH + 1];
  private long fromListAt;
  private boolean expectTarget;
  private int pendingDdl = -1;
  private boolean pendingDdlIsMain;

  private final StringBuilder name = new StringBuilder();
  private boolean inName;
  private boolean nameWantsPart;

  private TokenKind prevKind;
  private int prevKeyword = -1;
  private String mainOperation;
  private String firstOperation;
  private int topLevelOperations;
  private boolean mainIsCall;
  private boolean withHeader;
  private boolean topLevelSetOperation;
  private int mainTargets;
  private String mainTarget;
  private final List<String> cteNames = new ArrayList<>(4);

  QuerySummarizer() {
    Arrays.fill(operationAt, -1);
  }

  /**
   * Takes the next normalized token: its kind, its keyword id (or -1), and where its text is, for
   * an identifier, in {@code source}.
   */
  void accept(TokenKind kind, int keyword, String source, int start, int end) {
    if (inName && continueName(kind, keyword, source, start, end)) {
      return;
    }
    if (keyword < 0) {
      // CREATE USER bob: an object kind we do not name ends the wait for one.
      pendingDdl = -1;
    }
    token(kind, keyword, source, start, end);
    prevKind = kind;
    prevKeyword = keyword;
  }

  /** The summary of the tokens taken so far. */
  Summary finish() {
    if (inName) {
      finishName();
    }
    String operation = mainOperation != null ? mainOperation : firstOperation;
    boolean single =
        mainOperation != null
            && mainTargets == 1
            && !mainIsCall
            && !topLevelSetOperation
            && !cteNames.contains(mainTarget);
    return new Summary(
        operation == null ? "" : operation, single ? mainTarget : null, summary.toString());
  }

  private void token(TokenKind kind, int keyword, String source, int start, int end) {
    switch (kind) {
      case OPEN:
        expectTarget = false;
        depth++;
        if (depth <= MAX_TRACKED_DEPTH) {
          operationAt[depth] = -1;
          fromListAt &= ~(1L << depth);
        }
        break;
      case CLOSE:
        expectTarget = false;
        depth = Math.max(0, depth - 1);
        break;
      case COMMA:
        if (depth <= MAX_TRACKED_DEPTH && (fromListAt & (1L << depth)) != 0) {
          expectTarget = true;
        }
        break;
      case IDENTIFIER:
        identifier(source, start, end);
        break;
      case KEYWORD:
        keyword(keyword);
        break;
      default:
        expectTarget = false;
        break;
    }
  }

  private void identifier(String source, int start, int end) {
    if (expectTarget) {
      expectTarget = false;
      inName = true;
      nameWantsPart = false;
      name.setLength(0);
      name.append(source, start, end);
    } else if (withHeader
        && depth == 0
        && (prevKind == TokenKind.COMMA
            || prevKeyword == Keywords.WITH
            || prevKeyword == Keywords.RECURSIVE)
        && cteNames.size() < MAX_CTE_NAMES) {
      cteNames.add(source.substring(start, end));
    }
  }

  private boolean continueName(TokenKind kind, int keyword, String source, int start, int end) {
    if (kind == TokenKind.DOT && !nameWantsPart) {
      name.append('.');
      nameWantsPart = true;
      return true;
    }
    if (nameWantsPart && kind == TokenKind.IDENTIFIER) {
      name.append(source, start, end);
      nameWantsPart = false;
      return true;
    }
    if (nameWantsPart && kind == TokenKind.KEYWORD) {
      name.append(Keywords.text(keyword));
      nameWantsPart = false;
      return true;
    }
    finishName();
    return false;
  }

  private void finishName() {
    inName = false;
    String target = name.toString();
    append(target);
    if (depth == 0 && topLevelOperations == 1) {
      mainTargets++;
      if (mainTarget == null) {
        mainTarget = target;
      }
    }
  }

  private void keyword(int keyword) {
    if (pendingDdl >= 0) {
      if (DDL_OBJECTS[keyword]) {
        append(Keywords.text(keyword));
        if (pendingDdlIsMain) {
          mainOperation = Keywords.text(pendingDdl) + " " + Keywords.text(keyword);
        }
        pendingDdl = -1;
        expectTarget = true;
        return;
      }
      if (!DDL_MODIFIERS[keyword]) {
        pendingDdl = -1;
      }
      return;
    }
    if (expectTarget && SKIPPED_BEFORE_TARGET[keyword]) {
      return;
    }
    expectTarget = false;
    if (isOperation(keyword)) {
      operation(keyword);
      return;
    }
    boolean tracked = depth <= MAX_TRACKED_DEPTH;
    if (keyword == Keywords.WITH && prevKind == null) {
      withHeader = true;
    } else if (keyword == Keywords.FROM && tracked && operationAt[depth] >= 0) {
      fromListAt |= 1L << depth;
      expectTarget = true;
    } else if (keyword == Keywords.JOIN && tracked && (fromListAt & (1L << depth)) != 0) {
      expectTarget = true;
    } else if (keyword == Keywords.USING && tracked && isMergeOrDelete(operationAt[depth])) {
      expectTarget = true;
    } else if (CLAUSE_ENDS[keyword]) {
      if (tracked) {
        fromListAt &= ~(1L << depth);
      }
      if (depth == 0 && SET_OPERATIONS[keyword]) {
        topLevelSetOperation = true;
      }
    }
  }

  private boolean isOperation(int keyword) {
    if (keyword == Keywords.SELECT) {
      return true;
    }
    boolean statementStart =
        prevKind == null || prevKind == TokenKind.SEMICOLON || prevKind == TokenKind.OPEN;
    if (UTILITY[keyword]) {
      return statementStart && mainOperation == null && firstOperation == null;
    }
    if (!DML[keyword]) {
      return false;
    }
    return statementStart
        // After a CTE body: WITH x AS (..) DELETE FROM ..
        || prevKind == TokenKind.CLOSE
        || prevKeyword == Keywords.EXPLAIN
        || prevKeyword == Keywords.ANALYZE
        // JDBC escapes: {call p(?)} and {? = call p(?)}
        || (keyword == Keywords.CALL
            && (prevKind == TokenKind.OTHER || prevKind == TokenKind.OPERATOR));
  }

  private void operation(int keyword) {
    String operation = Keywords.text(keyword);
    append(operation);
    if (firstOperation == null) {
      firstOperation = operation;
    }
    boolean main = false;
    if (depth == 0) {
      topLevelOperations++;
      withHeader = false;
      if (mainOperation == null) {
        mainOperation = operation;
        mainIsCall = keyword == Keywords.CALL;
        main = true;
      }
    }
    boolean tracked = depth <= MAX_TRACKED_DEPTH;
    if (tracked) {
      operationAt[depth] = keyword;
      fromListAt &= ~(1L << depth);
    }
    if (TARGET_FOLLOWS[keyword]) {
      expectTarget = true;
    } else if (TARGET_LIST_FOLLOWS[keyword]) {
      expectTarget = true;
      if (tracked) {
        fromListAt |= 1L << depth;
      }
    } else if (DDL_VERBS[keyword]) {
      pendingDdl = keyword;
      pendingDdlIsMain = main;
    }
  }

  private static boolean isMergeOrDelete(int operation) {
    return operation == Keywords.MERGE || operation == Keywords.DELETE;
  }

  /** Appends a whole operation or target, or nothing once the summary would pass 255. */
  private void append(String part) {
    if (summaryFull) {
      return;
    }
    int needed = part.length() + (summary.length() == 0 ? 0 : 1);
    if (summary.length() + needed > MAX_SUMMARY_LENGTH) {
      summaryFull = true;
      return;
    }
    if (summary.length() > 0) {
      summary.append(' ');
    }
    summary.append(part);
  }
}
