package dev.optimizer.db.internal.sql;

import static dev.optimizer.db.internal.sql.CharClasses.isDigit;
import static dev.optimizer.db.internal.sql.CharClasses.isHexDigit;
import static dev.optimizer.db.internal.sql.CharClasses.isIdentifierPart;
import static dev.optimizer.db.internal.sql.CharClasses.isOperatorChar;
import static dev.optimizer.db.internal.sql.CharClasses.isTagChar;

/**
 * A hand-written, single-pass SQL tokenizer that knows each {@link SqlDialect}'s literal, quoting
 * and comment syntax. It is a cursor: {@link #next()} returns the type of the next token and {@link
 * #start()}/{@link #end()} its bounds in the input, so lexing allocates nothing per token.
 *
 * <p>Every character is looked at a bounded number of times, so lexing is O(n) whatever the input:
 * there is no regular expression and no backtracking, and dollar-quote tags are capped at {@link
 * #MAX_DOLLAR_TAG_LENGTH} characters, so looking for a closing tag compares at most that many
 * characters at each {@code $}. Nothing here throws on malformed input: an unterminated string,
 * quoted identifier or comment runs to the end of the input and is reported through {@link
 * #sawUnterminated()}.
 *
 * <p>Whitespace and comments are skipped by a {@link CommentSkipper}.
 *
 * <p>Not thread-safe; one instance lexes one input once.
 */
final class SqlLexer {

  /** Longer {@code $tag$}s are not treated as dollar quotes, which keeps the search linear. */
  static final int MAX_DOLLAR_TAG_LENGTH = 64;

  private final String sql;
  private final int limit;
  private final SqlDialect dialect;
  private int pos;
  private int start;
  private int end;
  private boolean unterminated;
  private final CommentSkipper comments;

  /** Lexes all of {@code sql}. */
  SqlLexer(String sql, SqlDialect dialect) {
    this(sql, sql.length(), dialect);
  }

  /** Lexes the first {@code limit} characters of {@code sql}, as if the rest were not there. */
  SqlLexer(String sql, int limit, SqlDialect dialect) {
    this.sql = sql;
    this.limit = limit;
    this.dialect = dialect;
    this.comments = new CommentSkipper(sql, limit, dialect);
  }

  /** Advances to the next token, skipping whitespace and comments, and returns its type. */
  TokenType next() {
    pos = comments.skip(pos);
    start = pos;
    if (pos >= limit) {
      end = limit;
      return TokenType.EOF;
    }
    TokenType type = lexToken(sql.charAt(pos));
    end = pos;
    return type;
  }

  /** Where the current token starts in the input. */
  int start() {
    return start;
  }

  /** Where the current token ends (exclusive) in the input. */
  int end() {
    return end;
  }

  /** Whether a string, quoted identifier or comment ran to the end of the input unclosed. */
  boolean sawUnterminated() {
    return unterminated || comments.sawUnterminated();
  }

  private TokenType lexToken(char c) {
    return switch (c) {
      case '\'' -> lexString('\'', dialect.backslashEscapes());
      case '"' ->
          dialect.doubleQuotedStrings()
              ? lexString('"', dialect.backslashEscapes())
              : lexQuotedIdentifier('"');
      case '`' -> lexQuotedIdentifier('`');
      case '(' -> single(TokenType.OPEN_PAREN);
      case ')' -> single(TokenType.CLOSE_PAREN);
      case '[' -> single(TokenType.OPEN_BRACKET);
      case ']' -> single(TokenType.CLOSE_BRACKET);
      case ',' -> single(TokenType.COMMA);
      case ';' -> single(TokenType.SEMICOLON);
      case '.' -> isDigit(charAt(pos + 1)) ? lexNumber() : single(TokenType.DOT);
      case ':' -> lexColon();
      case '?' -> lexQuestionMark();
      case '$' -> lexDollar();
      case '@' -> dialect == SqlDialect.POSTGRESQL ? lexOperator() : lexVariable();
      default -> {
        if (isDigit(c)) {
          yield lexNumber();
        } else if (isIdentifierStart(c)) {
          yield lexWordOrPrefixedString(c);
        } else if (isOperatorChar(c)) {
          yield lexOperator();
        }
        yield single(TokenType.OTHER);
      }
    };
  }

  /** {@code ?} or H2's numbered {@code ?1}. */
  private TokenType lexQuestionMark() {
    pos++;
    skipDigits();
    return TokenType.BIND_MARKER;
  }

  private TokenType single(TokenType type) {
    pos++;
    return type;
  }

  /** A string from its opening quote at {@code pos}; a doubled quote is always an escape. */
  private TokenType lexString(char quote, boolean backslashEscapes) {
    pos++;
    while (pos < limit) {
      char c = sql.charAt(pos);
      if (c == '\\' && backslashEscapes) {
        pos += 2;
      } else if (c == quote) {
        if (charAt(pos + 1) != quote) {
          pos++;
          return TokenType.STRING;
        }
        pos += 2;
      } else {
        pos++;
      }
    }
    pos = limit;
    unterminated = true;
    return TokenType.STRING;
  }

  private TokenType lexQuotedIdentifier(char quote) {
    lexString(quote, false);
    return TokenType.QUOTED_IDENTIFIER;
  }

  /** A word, or a string with a prefix: {@code E'..'}, {@code N'..'}, {@code U&'..'}, .. */
  private TokenType lexWordOrPrefixedString(char c) {
    char n = charAt(pos + 1);
    if (n == '\'') {
      switch (c) {
        case 'e', 'E' -> {
          pos++;
          return lexString('\'', true);
        }
        case 'n', 'N' -> {
          pos++;
          return lexString('\'', dialect.backslashEscapes());
        }
        case 'b', 'B', 'x', 'X' -> {
          pos++;
          return lexString('\'', false);
        }
        default -> {
          // a word that ends right before a quote
        }
      }
    }
    if ((c == 'u' || c == 'U') && n == '&') {
      char q = charAt(pos + 2);
      if (q == '\'') {
        pos += 2;
        return lexString('\'', false);
      }
      if (q == '"') {
        pos += 2;
        return lexQuotedIdentifier('"');
      }
    }
    pos++;
    skipIdentifierPart();
    // MySQL's character set introducer: _utf8mb4'text' is one string literal.
    if (c == '_' && dialect.mysqlLexing() && (charAt(pos) == '\'' || charAt(pos) == '"')) {
      return lexString(sql.charAt(pos), true);
    }
    return TokenType.WORD;
  }

  private TokenType lexNumber() {
    boolean plainInteger = true;
    if (sql.charAt(pos) == '0' && lexRadixInteger(charAt(pos + 1))) {
      plainInteger = false;
    } else {
      skipDigits();
      if (charAt(pos) == '.' && charAt(pos + 1) != '.') {
        pos++;
        skipDigits();
        plainInteger = false;
      }
      char e = charAt(pos);
      if (e == 'e' || e == 'E') {
        int p = pos + 1;
        if (charAt(p) == '+' || charAt(p) == '-') {
          p++;
        }
        if (isDigit(charAt(p))) {
          pos = p;
          skipDigits();
          plainInteger = false;
        }
      }
    }
    // MySQL identifiers may start with a digit (a table named 2fa_codes).
    if (plainInteger && dialect.mysqlLexing() && isIdentifierPart(charAt(pos))) {
      skipIdentifierPart();
      return TokenType.WORD;
    }
    return TokenType.NUMBER;
  }

  /** {@code 0x1F}, {@code 0b101}, {@code 0o17}; {@code pos} is at the leading zero. */
  private boolean lexRadixInteger(char radix) {
    int p = pos + 2;
    char first = charAt(p);
    boolean ok =
        switch (radix) {
          case 'x', 'X' -> isHexDigit(first);
          case 'b', 'B' -> first == '0' || first == '1';
          case 'o', 'O' -> first >= '0' && first <= '7';
          default -> false;
        };
    if (!ok) {
      return false;
    }
    pos = p;
    while (pos < limit && (isHexDigit(sql.charAt(pos)) || sql.charAt(pos) == '_')) {
      pos++;
    }
    return true;
  }

  private TokenType lexColon() {
    char n = charAt(pos + 1);
    if (n == ':') {
      pos += 2;
      return TokenType.CAST;
    }
    if (isIdentifierStart(n)) {
      pos++;
      skipIdentifierPart();
      return TokenType.BIND_MARKER;
    }
    pos += n == '=' ? 2 : 1;
    return TokenType.OPERATOR;
  }

  private TokenType lexDollar() {
    int p = pos + 1;
    if (dialect.mysqlLexing()) {
      // MySQL allows $ anywhere in an unquoted identifier, even first.
      pos = p;
      skipIdentifierPart();
      return TokenType.WORD;
    }
    if (isDigit(charAt(p))) {
      pos = p;
      skipDigits();
      return TokenType.BIND_MARKER;
    }
    if (dialect.dollarQuotes()) {
      int q = p;
      while (q - p <= MAX_DOLLAR_TAG_LENGTH && isTagChar(charAt(q))) {
        q++;
      }
      if (q - p <= MAX_DOLLAR_TAG_LENGTH && charAt(q) == '$') {
        int tagLength = q + 1 - pos;
        pos = closingTag(pos, tagLength, q + 1);
        return TokenType.STRING;
      }
    }
    return single(TokenType.OTHER);
  }

  /**
   * Where the dollar-quoted string whose tag is {@code sql[tagStart, tagStart + tagLength)} ends,
   * searching from {@code from} but never past the limit; the limit if it is not closed.
   */
  private int closingTag(int tagStart, int tagLength, int from) {
    for (int i = from; i + tagLength <= limit; i++) {
      if (sql.charAt(i) == '$' && sql.regionMatches(i, sql, tagStart, tagLength)) {
        return i + tagLength;
      }
    }
    unterminated = true;
    return limit;
  }

  /** MySQL/H2 {@code @var} and {@code @@system_var}; a lone {@code @} is an operator. */
  private TokenType lexVariable() {
    int p = pos + 1;
    if (charAt(p) == '@') {
      p++;
    }
    if (!isIdentifierStart(charAt(p)) && charAt(p) != '`' && charAt(p) != '\'') {
      return lexOperator();
    }
    pos = p;
    char c = sql.charAt(pos);
    if (c == '`' || c == '\'') {
      // @`quoted name`: the name is an identifier, never a value.
      lexString(c, false);
    } else {
      skipIdentifierPart();
    }
    return TokenType.WORD;
  }

  private TokenType lexOperator() {
    int s = pos;
    boolean special = false;
    while (pos < limit && isOperatorChar(sql.charAt(pos))) {
      char c = sql.charAt(pos);
      char n = charAt(pos + 1);
      if (pos > s
          && ((c == '-' && n == '-')
              || (c == '/' && n == '*')
              // Outside PostgreSQL no operator has an @: in "id=@v" it starts the variable @v.
              || (c == '@' && dialect != SqlDialect.POSTGRESQL)
              || (c == '#' && dialect.hashComments())
              || (c == '/' && n == '/' && dialect.doubleSlashComments()))) {
        break;
      }
      special |= "~!@#%^&|?".indexOf(c) >= 0;
      pos++;
    }
    // PostgreSQL's rule, right for the others too: a multi-character operator may end in + or -
    // only if it contains one of ~!@#%^&|?, so "=-1" is "=" followed by "-1".
    if (!special) {
      while (pos - s > 1 && (sql.charAt(pos - 1) == '+' || sql.charAt(pos - 1) == '-')) {
        pos--;
      }
    }
    return TokenType.OPERATOR;
  }

  private void skipDigits() {
    while (pos < limit) {
      char c = sql.charAt(pos);
      if (!isDigit(c) && !(c == '_' && isDigit(charAt(pos + 1)))) {
        return;
      }
      pos++;
    }
  }

  private void skipIdentifierPart() {
    while (pos < limit && isIdentifierPart(sql.charAt(pos))) {
      pos++;
    }
  }

  private char charAt(int index) {
    return index < limit ? sql.charAt(index) : '\0';
  }

  private boolean isIdentifierStart(char c) {
    return CharClasses.isIdentifierStart(c) || (c == '$' && dialect.mysqlLexing());
  }
}
