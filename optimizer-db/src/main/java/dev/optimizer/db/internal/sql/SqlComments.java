package dev.optimizer.db.internal.sql;

/**
 * Drops the comments of a statement the way its database reads them, with the fingerprinter's lexer
 * ({@link SqlLexer} and its {@link CommentSkipper}), for a parser that knows a different rule.
 * JSqlParser ends a block comment at its first {@code *}{@code /}; PostgreSQL nests them, so in
 * {@code /* a /* b *}{@code / c *}{@code /} the text {@code c *}{@code /} is comment to the server
 * and SQL to that parser. MySQL and MariaDB do not nest (there {@code c *}{@code /} is SQL to the
 * server too) and run the content of their {@code /*!NNNNN ..*}{@code /} version comments.
 */
public final class SqlComments {
  private SqlComments() {}

  /**
   * {@code sql} with each run of whitespace and comments (as {@code dialect} reads them) between
   * two tokens replaced by one space, and those before the first and after the last token dropped;
   * tokens (strings and quoted names included) are kept as written. Linear in the length.
   */
  public static String strip(String sql, SqlDialect dialect) {
    SqlLexer lexer = new SqlLexer(sql, dialect);
    StringBuilder out = new StringBuilder(sql.length());
    int previousEnd = -1;
    while (lexer.next() != TokenType.EOF) {
      if (previousEnd >= 0 && lexer.start() > previousEnd) {
        out.append(' ');
      }
      out.append(sql, lexer.start(), lexer.end());
      previousEnd = lexer.end();
    }
    return out.toString();
  }
}
