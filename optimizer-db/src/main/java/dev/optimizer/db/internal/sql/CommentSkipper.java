package dev.optimizer.db.internal.sql;

import static dev.optimizer.db.internal.sql.CharClasses.isDigit;
import static dev.optimizer.db.internal.sql.CharClasses.isSpace;

/**
 * Skips whitespace and comments for {@link SqlLexer}, by dialect: {@code --} line comments and
 * {@code /* *}{@code /} block comments everywhere, nesting in PostgreSQL; {@code #} in MySQL, where
 * {@code --} starts a comment only before whitespace; {@code //} in H2.
 *
 * <p>MySQL's {@code /*!40101 ... *}{@code /} version comments (and MariaDB's {@code /*M!..}) are
 * executed by the server, so only their opening and closing marks are skipped and their content is
 * lexed as SQL, its literals sanitized like any other. Optimizer hints {@code /*+ ... *}{@code /}
 * and all other comments are dropped whole. An unclosed block comment runs to the end.
 */
final class CommentSkipper {

  private final String sql;
  private final int limit;
  private final SqlDialect dialect;
  private boolean inVersionComment;
  private boolean unterminated;

  CommentSkipper(String sql, int limit, SqlDialect dialect) {
    this.sql = sql;
    this.limit = limit;
    this.dialect = dialect;
  }

  /** The first position from {@code pos} on that is neither whitespace nor inside a comment. */
  int skip(int pos) {
    while (pos < limit) {
      char c = sql.charAt(pos);
      char n = charAt(pos + 1);
      if (isSpace(c)) {
        pos++;
      } else if (c == '-' && n == '-' && (!dialect.mysqlLexing() || isSpaceOrEnd(pos + 2))) {
        pos = endOfLine(pos);
      } else if ((c == '#' && dialect.hashComments())
          || (c == '/' && n == '/' && dialect.doubleSlashComments())) {
        pos = endOfLine(pos);
      } else if (c == '/' && n == '*') {
        int content = versionCommentContent(pos);
        pos = content >= 0 ? content : endOfBlockComment(pos);
      } else if (c == '*' && n == '/' && inVersionComment) {
        pos += 2;
        inVersionComment = false;
      } else {
        return pos;
      }
    }
    return pos;
  }

  /** Whether a block comment ran to the end of the input unclosed. */
  boolean sawUnterminated() {
    return unterminated;
  }

  /**
   * Where the content of a MySQL {@code /*!NNNNN} or MariaDB {@code /*M!NNNNN} comment starting at
   * {@code pos} begins, or -1 if there is none there.
   */
  private int versionCommentContent(int pos) {
    if (!dialect.mysqlLexing() || inVersionComment) {
      return -1;
    }
    int p = pos + 2;
    if (charAt(p) == 'M' && charAt(p + 1) == '!') {
      p++;
    }
    if (charAt(p) != '!') {
      return -1;
    }
    p++;
    int digits = 0;
    while (digits < 7 && isDigit(charAt(p + digits))) {
      digits++;
    }
    inVersionComment = true;
    // The version is five or six digits; any other run of digits is content, not a version.
    return digits == 5 || digits == 6 ? p + digits : p;
  }

  private int endOfLine(int pos) {
    while (pos < limit && sql.charAt(pos) != '\n' && sql.charAt(pos) != '\r') {
      pos++;
    }
    return pos;
  }

  private int endOfBlockComment(int pos) {
    pos += 2;
    int depth = 1;
    while (pos < limit) {
      char c = sql.charAt(pos);
      char n = charAt(pos + 1);
      if (c == '*' && n == '/') {
        pos += 2;
        if (--depth == 0) {
          return pos;
        }
      } else if (c == '/' && n == '*' && dialect.nestedComments()) {
        pos += 2;
        depth++;
      } else {
        pos++;
      }
    }
    unterminated = true;
    return limit;
  }

  private boolean isSpaceOrEnd(int index) {
    return index >= limit || sql.charAt(index) <= ' ';
  }

  private char charAt(int index) {
    return index < limit ? sql.charAt(index) : '\0';
  }
}
