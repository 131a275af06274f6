package dev.optimizer.db.internal.sql;

import java.util.Arrays;

/**
 * The SQL keywords whose case the fingerprint normalizes. A word found here is written upper-case
 * in the normalized text; any other unquoted word is an identifier and is kept as written, as
 * pg_stat_statements shows it.
 *
 * <p>Lookups run once per word of every new statement, so the table is a small open-addressing hash
 * keyed by a word's length and three of its characters, probed straight from the input without
 * creating a string, and keywords are ids: sets of them are arrays indexed by id. The list leaves
 * out words that are more often column names than keywords ({@code name}, {@code value}, {@code
 * type}, {@code user}, {@code key}, {@code date}), so that those stay as written.
 */
final class Keywords {

  // Statements, clauses, operators and values, then functions that read like syntax. The order is
  // the order of the keyword ids.
  private static final String[] WORDS =
      ("""
       SELECT INSERT UPDATE DELETE MERGE CALL REPLACE UPSERT WITH RECURSIVE VALUES CREATE ALTER
       DROP TRUNCATE RENAME BEGIN START TRANSACTION COMMIT ROLLBACK SAVEPOINT RELEASE SET SHOW
       EXPLAIN ANALYZE DESCRIBE USE GRANT REVOKE LOCK UNLOCK VACUUM COPY EXECUTE EXEC PREPARE
       DEALLOCATE DECLARE FETCH CLOSE LISTEN NOTIFY RESET DISCARD REFRESH REINDEX CHECKPOINT
       ABORT DO
       FROM WHERE INTO JOIN INNER LEFT RIGHT FULL OUTER CROSS NATURAL LATERAL ON USING GROUP BY
       ORDER HAVING LIMIT OFFSET ROWS ROW FIRST NEXT ONLY TIES UNION INTERSECT EXCEPT MINUS ALL
       DISTINCT AS ASC DESC NULLS LAST RETURNING CONFLICT NOTHING DUPLICATE IGNORE MATCHED WHEN
       THEN ELSE END CASE FOR SHARE NOWAIT SKIP LOCKED OF WINDOW OVER PARTITION FILTER WITHIN
       DEFAULT TABLE INDEX VIEW SEQUENCE SCHEMA DATABASE FUNCTION PROCEDURE TRIGGER EXTENSION
       MATERIALIZED TEMPORARY TEMP UNIQUE PRIMARY FOREIGN REFERENCES CONSTRAINT CHECK IF EXISTS
       CASCADE RESTRICT CONCURRENTLY COLLATE ESCAPE LOW_PRIORITY HIGH_PRIORITY DELAYED
       STRAIGHT_JOIN SQL_CALC_FOUND_ROWS SQL_NO_CACHE FORCE
       AND OR NOT IN IS NULL TRUE FALSE UNKNOWN BETWEEN LIKE ILIKE SIMILAR REGEXP RLIKE ANY SOME
       ARRAY INTERVAL ZONE AT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP LOCALTIME
       LOCALTIMESTAMP CURRENT_USER SESSION_USER
       CAST COALESCE NULLIF GREATEST LEAST EXTRACT SUBSTRING TRIM OVERLAY CONVERT COUNT SUM AVG
       MIN MAX LOWER UPPER NOW IFNULL ROW_NUMBER RANK DENSE_RANK
       """)
          .trim()
          .split("\\s+");

  private static final int MAX_LENGTH = 24;
  private static final int[] TABLE = new int[1024];

  static {
    Arrays.fill(TABLE, -1);
    for (int id = 0; id < WORDS.length; id++) {
      String word = WORDS[id];
      int slot = hash(word, 0, word.length()) & (TABLE.length - 1);
      while (TABLE[slot] >= 0) {
        if (WORDS[TABLE[slot]].equals(word)) {
          throw new AssertionError("keyword listed twice: " + word);
        }
        slot = (slot + 1) & (TABLE.length - 1);
      }
      TABLE[slot] = id;
    }
  }

  /** Ids of the keywords the normalizer and summarizer compare against. */
  static final int SELECT = id("SELECT");

  static final int WITH = id("WITH");
  static final int RECURSIVE = id("RECURSIVE");
  static final int FROM = id("FROM");
  static final int JOIN = id("JOIN");
  static final int USING = id("USING");
  static final int MERGE = id("MERGE");
  static final int DELETE = id("DELETE");
  static final int CALL = id("CALL");
  static final int EXPLAIN = id("EXPLAIN");
  static final int ANALYZE = id("ANALYZE");
  static final int IN = id("IN");
  static final int IS = id("IS");
  static final int NOT = id("NOT");
  static final int ARRAY = id("ARRAY");
  static final int VALUES = id("VALUES");

  /** Keywords that stand for a value, written {@code ?} unless after IS or NOT. */
  private static final boolean[] LITERALS = setOf("TRUE FALSE NULL");

  /** Keywords that are operands themselves, so a sign after them is binary. */
  private static final boolean[] OPERANDS =
      setOf(
          "END CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP LOCALTIME LOCALTIMESTAMP CURRENT_USER"
              + " SESSION_USER");

  /** Keywords written without a space before their opening parenthesis, like a function call. */
  private static final boolean[] FUNCTION_LIKE =
      setOf(
          "CAST COALESCE NULLIF GREATEST LEAST EXTRACT SUBSTRING TRIM OVERLAY CONVERT COUNT SUM AVG"
              + " MIN MAX LOWER UPPER NOW IFNULL ROW_NUMBER RANK DENSE_RANK ROW ARRAY LEFT RIGHT IF"
              + " REPLACE ANY SOME EXISTS");

  private Keywords() {}

  /**
   * The id of the keyword spelled by {@code text[start, end)} in any case, or -1 if that word is
   * not a keyword.
   */
  static int lookup(String text, int start, int end) {
    int length = end - start;
    if (length < 2 || length > MAX_LENGTH) {
      return -1;
    }
    int hash = hash(text, start, end);
    if (hash < 0) {
      return -1;
    }
    int slot = hash & (TABLE.length - 1);
    int id;
    while ((id = TABLE[slot]) >= 0) {
      if (matches(WORDS[id], text, start, length)) {
        return id;
      }
      slot = (slot + 1) & (TABLE.length - 1);
    }
    return -1;
  }

  /** The upper-case spelling of a keyword id. */
  static String text(int id) {
    return WORDS[id];
  }

  /** A membership table over keyword ids, for sets tested once per token; words space-separated. */
  static boolean[] setOf(String words) {
    boolean[] set = new boolean[WORDS.length];
    for (String word : words.split(" ")) {
      set[id(word)] = true;
    }
    return set;
  }

  /** Whether {@code id} (possibly -1) is in {@code set}. */
  static boolean in(boolean[] set, int id) {
    return id >= 0 && set[id];
  }

  static boolean isLiteral(int id) {
    return in(LITERALS, id);
  }

  static boolean isOperand(int id) {
    return in(OPERANDS, id);
  }

  /** Whether a keyword takes its parenthesis like a function, without a space. */
  static boolean isFunctionLike(int id) {
    return in(FUNCTION_LIKE, id);
  }

  private static int id(String word) {
    int id = lookup(word, 0, word.length());
    if (id < 0) {
      throw new AssertionError("not a keyword: " + word);
    }
    return id;
  }

  private static boolean matches(String keyword, String text, int start, int length) {
    if (keyword.length() != length) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = text.charAt(start + i);
      if (c >= 'a' && c <= 'z') {
        c -= 'a' - 'A';
      }
      if (c != keyword.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * A hash of the word's length and its first two and last characters, upper-cased. Constant time,
   * because it runs for every identifier of every new statement; {@link #matches} settles
   * collisions. A word with a digit or another character no keyword has returns -1.
   */
  private static int hash(String text, int start, int end) {
    char first = text.charAt(start);
    char second = text.charAt(start + 1);
    char last = text.charAt(end - 1);
    if (!isKeywordChar(first) || !isKeywordChar(second) || !isKeywordChar(last)) {
      return -1;
    }
    // Clearing bit 5 upper-cases an ASCII letter and leaves '_' as it is.
    int h = end - start;
    h = 31 * h + (first & 0xDF);
    h = 31 * h + (second & 0xDF);
    h = 31 * h + (last & 0xDF);
    return (h ^ (h >>> 7)) & Integer.MAX_VALUE;
  }

  private static boolean isKeywordChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }
}
