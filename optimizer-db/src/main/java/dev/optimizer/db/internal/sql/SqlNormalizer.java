package dev.optimizer.db.internal.sql;

import java.util.Arrays;

/**
 * Rewrites a statement into the normalized text its fingerprint is computed from, in one pass over
 * the tokens of {@link SqlLexer}:
 *
 * <ul>
 *   <li>literals of every kind, {@code TRUE}/{@code FALSE}/{@code NULL} used as values, and bind
 *       markers ({@code ?}, {@code $1}, {@code :name}) become {@code ?}; a sign in front of a
 *       number goes with it ({@code x = -1} gives {@code x = ?}, {@code x - 1} gives {@code x -
 *       ?});
 *   <li>a list of constants after {@code IN} or {@code ARRAY} keeps only its first element ({@code
 *       IN (?, ?, ?)} gives {@code IN (?)}, {@code IN ((?, ?), (?, ?))} gives {@code IN ((?, ?))});
 *       a list holding anything else, such as a subquery, is kept whole;
 *   <li>a {@code VALUES} row identical to the first row after normalization is dropped, so a
 *       multi-row insert has the fingerprint of its one-row form;
 *   <li>comments and a trailing semicolon disappear, whitespace becomes single spaces placed by
 *       fixed rules, keywords are upper-cased, identifiers are kept as written.
 * </ul>
 *
 * <p>There is no recursion: open parentheses live on an explicit stack of at most {@code maxDepth}
 * frames. Deeper nesting is still written out, but its lists are no longer collapsed, and the
 * result says so. Collapsing rewrites only the tail of the output, after every position an
 * enclosing frame remembers, so those positions stay valid.
 *
 * <p>Each token written is also handed to a {@link QuerySummarizer}, so a statement is lexed once.
 * The summarizer is not shown the {@code VALUES} rows after the first (nor the commas before them):
 * those are the rows that may be dropped, and leaving them all out keeps the summary a function of
 * the normalized text. Not thread-safe: use one per call.
 */
final class SqlNormalizer {

  /** What {@link #normalize} found. */
  record Result(String text, boolean unterminated, boolean unbalanced, boolean depthExceeded) {}

  private static final byte FRAME_OTHER = 0;
  private static final byte FRAME_LIST = 1;
  private static final byte FRAME_VALUES_ROW = 2;

  private static final byte VALUES_NONE = 0;
  private static final byte VALUES_EXPECT_ROW = 1;
  private static final byte VALUES_AFTER_ROW = 2;

  private final String sql;
  private final int limit;
  private final SqlDialect dialect;
  private final int maxDepth;
  private final StringBuilder out;
  private final QuerySummarizer summarizer;

  // What was written last, which decides spacing and whether a sign is unary; null at the start.
  private TokenKind prev;
  private int prevKeyword = -1;
  private char pendingSign;
  private boolean pendingSemicolon;
  private boolean unbalanced;
  private boolean depthExceeded;
  private int mutedFrame = -1;
  private boolean heldComma;

  // Open brackets, as parallel arrays: frame d opened at level d and holds level d + 1.
  private int depth;
  private int overflow;
  private int[] openPos = new int[8];
  private byte[] frameKind = new byte[8];
  private boolean[] onlyConstants = new boolean[8];
  private int[] firstElementEnd = new int[8];

  // Per level: the state of a VALUES row list there.
  private byte[] valuesState = new byte[9];
  private int[] firstRowStart = new int[9];
  private int[] firstRowEnd = new int[9];
  private int[] commaPos = new int[9];

  private SqlNormalizer(
      String sql, int limit, SqlDialect dialect, int maxDepth, QuerySummarizer summarizer) {
    this.sql = sql;
    this.limit = limit;
    this.dialect = dialect;
    this.maxDepth = maxDepth;
    this.summarizer = summarizer;
    // Room for the spaces that normalization adds around operators and after commas.
    this.out = new StringBuilder(Math.min(limit + (limit >> 1), 16384) + 16);
  }

  /**
   * Normalizes the first {@code limit} characters of {@code sql}, handing the tokens written to
   * {@code summarizer}.
   */
  static Result normalize(
      String sql, int limit, SqlDialect dialect, int maxDepth, QuerySummarizer summarizer) {
    return new SqlNormalizer(sql, limit, dialect, maxDepth, summarizer).run();
  }

  private Result run() {
    SqlLexer lexer = new SqlLexer(sql, limit, dialect);
    for (TokenType type = lexer.next(); type != TokenType.EOF; type = lexer.next()) {
      int start = lexer.start();
      int end = lexer.end();
      if (pendingSemicolon) {
        pendingSemicolon = false;
        write(TokenKind.SEMICOLON, -1, ";");
      }
      if (pendingSign != 0) {
        char sign = pendingSign;
        pendingSign = 0;
        if (type == TokenType.NUMBER) {
          placeholder();
          continue;
        }
        write(TokenKind.OPERATOR, -1, String.valueOf(sign));
      }
      token(type, start, end);
    }
    if (pendingSign != 0) {
      write(TokenKind.OPERATOR, -1, String.valueOf(pendingSign));
    }
    forward(null, -1, null, 0, 0);
    boolean open = depth > 0 || overflow > 0;
    return new Result(out.toString(), lexer.sawUnterminated(), unbalanced || open, depthExceeded);
  }

  private void token(TokenType type, int start, int end) {
    switch (type) {
      case STRING:
      case NUMBER:
      case BIND_MARKER:
        placeholder();
        break;
      case WORD:
        word(start, end);
        break;
      case QUOTED_IDENTIFIER:
        writeRange(TokenKind.IDENTIFIER, start, end);
        break;
      case OPEN_PAREN:
      case OPEN_BRACKET:
        open(sql.charAt(start));
        break;
      case CLOSE_PAREN:
      case CLOSE_BRACKET:
        close(sql.charAt(start));
        break;
      case COMMA:
        comma();
        break;
      case DOT:
        write(TokenKind.DOT, -1, ".");
        break;
      case SEMICOLON:
        // Written only if a token follows, so "SELECT 1;" and "SELECT 1" are one statement.
        pendingSemicolon = true;
        break;
      case CAST:
        write(TokenKind.CAST, -1, "::");
        break;
      case OPERATOR:
        char c = sql.charAt(start);
        if (end - start == 1 && (c == '-' || c == '+') && !prevIsOperand()) {
          pendingSign = c;
        } else {
          writeRange(TokenKind.OPERATOR, start, end);
        }
        break;
      default:
        writeRange(TokenKind.OTHER, start, end);
        break;
    }
  }

  private void word(int start, int end) {
    int keyword = Keywords.lookup(sql, start, end);
    if (keyword < 0) {
      writeRange(TokenKind.IDENTIFIER, start, end);
      return;
    }
    boolean afterIs = prevKeyword == Keywords.IS || prevKeyword == Keywords.NOT;
    if (!afterIs && Keywords.isLiteral(keyword)) {
      placeholder();
      return;
    }
    write(TokenKind.KEYWORD, keyword, Keywords.text(keyword));
    prevKeyword = keyword;
    if (keyword == Keywords.VALUES && overflow == 0) {
      valuesState[depth] = VALUES_EXPECT_ROW;
      firstRowStart[depth] = -1;
    }
  }

  private void placeholder() {
    if (needsSpace(TokenKind.PLACEHOLDER, '?')) {
      out.append(' ');
    }
    out.append('?');
    forward(TokenKind.PLACEHOLDER, -1, null, 0, 0);
    wrote(TokenKind.PLACEHOLDER);
  }

  private void open(char bracket) {
    boolean list =
        prev == TokenKind.KEYWORD && prevKeyword == (bracket == '(' ? Keywords.IN : Keywords.ARRAY);
    boolean valuesRow = overflow == 0 && bracket == '(' && valuesState[depth] == VALUES_EXPECT_ROW;
    if (valuesRow && firstRowStart[depth] >= 0 && depth < maxDepth && mutedFrame < 0) {
      mutedFrame = depth;
      heldComma = false;
    }
    writeStructural(TokenKind.OPEN, bracket);
    if (overflow > 0 || depth >= maxDepth) {
      // Too deep to track: keep writing, stop collapsing. The enclosing list cannot be collapsed
      // either, since its content is no longer known to be constant.
      overflow++;
      depthExceeded = true;
      markNotConstant();
      return;
    }
    ensureCapacity(depth + 1);
    openPos[depth] = out.length() - 1;
    frameKind[depth] = list ? FRAME_LIST : valuesRow ? FRAME_VALUES_ROW : FRAME_OTHER;
    onlyConstants[depth] = true;
    firstElementEnd[depth] = -1;
    depth++;
    valuesState[depth] = VALUES_NONE;
  }

  private void close(char bracket) {
    if (overflow > 0) {
      overflow--;
      writeStructural(TokenKind.CLOSE, bracket);
      return;
    }
    if (depth == 0) {
      unbalanced = true;
      writeStructural(TokenKind.CLOSE, bracket);
      valuesState[0] = VALUES_NONE;
      return;
    }
    depth--;
    int frame = depth;
    writeStructural(TokenKind.CLOSE, bracket);
    if (mutedFrame == frame) {
      mutedFrame = -1;
    }
    if (frameKind[frame] == FRAME_LIST && onlyConstants[frame] && firstElementEnd[frame] >= 0) {
      out.setLength(firstElementEnd[frame]);
      out.append(bracket);
    }
    if (frame > 0 && !onlyConstants[frame]) {
      onlyConstants[frame - 1] = false;
    }
    if (frameKind[frame] == FRAME_VALUES_ROW) {
      valuesRowClosed(frame, openPos[frame]);
    } else {
      valuesState[frame] = VALUES_NONE;
    }
  }

  /** Drops a VALUES row that reads exactly like the first one, with the comma before it. */
  private void valuesRowClosed(int level, int rowStart) {
    if (firstRowStart[level] < 0) {
      firstRowStart[level] = rowStart;
      firstRowEnd[level] = out.length();
    } else if (sameText(rowStart, out.length(), firstRowStart[level], firstRowEnd[level])) {
      out.setLength(commaPos[level]);
    }
    valuesState[level] = VALUES_AFTER_ROW;
  }

  private void comma() {
    if (overflow == 0 && depth > 0 && firstElementEnd[depth - 1] < 0) {
      firstElementEnd[depth - 1] = out.length();
    }
    if (overflow > 0 || valuesState[depth] != VALUES_AFTER_ROW) {
      writeStructural(TokenKind.COMMA, ',');
      return;
    }
    commaPos[depth] = out.length();
    out.append(',');
    wrote(TokenKind.COMMA);
    valuesState[depth] = VALUES_EXPECT_ROW;
    // Held back from the summarizer: if another row follows, it is shown neither.
    heldComma = mutedFrame < 0;
  }

  /** Writes a token that makes the enclosing list non-constant. */
  private void write(TokenKind kind, int keyword, String text) {
    if (needsSpace(kind, text.charAt(0))) {
      out.append(' ');
    }
    out.append(text);
    forward(kind, keyword, text, 0, text.length());
    wrote(kind);
    markNotConstant();
  }

  private void writeRange(TokenKind kind, int start, int end) {
    if (needsSpace(kind, sql.charAt(start))) {
      out.append(' ');
    }
    out.append(sql, start, end);
    forward(kind, -1, sql, start, end);
    wrote(kind);
    markNotConstant();
  }

  /** Writes a bracket or comma, which leaves the enclosing list's constness to the caller. */
  private void writeStructural(TokenKind kind, char c) {
    if (needsSpace(kind, c)) {
      out.append(' ');
    }
    out.append(c);
    forward(kind, -1, null, 0, 0);
    wrote(kind);
  }

  /** Hands a written token to the summarizer, or flushes a held comma if {@code kind} is null. */
  private void forward(TokenKind kind, int keyword, String source, int start, int end) {
    if (mutedFrame >= 0) {
      return;
    }
    if (heldComma) {
      heldComma = false;
      summarizer.accept(TokenKind.COMMA, -1, null, 0, 0);
    }
    if (kind != null) {
      summarizer.accept(kind, keyword, source, start, end);
    }
  }

  private void wrote(TokenKind kind) {
    prev = kind;
    if (kind != TokenKind.KEYWORD) {
      prevKeyword = -1;
    }
    if (overflow == 0) {
      valuesState[depth] = VALUES_NONE;
    }
  }

  private void markNotConstant() {
    if (overflow == 0 && depth > 0) {
      onlyConstants[depth - 1] = false;
    }
  }

  private boolean needsSpace(TokenKind kind, char c) {
    if (out.length() == 0
        || prev == TokenKind.OPEN
        || prev == TokenKind.DOT
        || prev == TokenKind.CAST) {
      return false;
    }
    switch (kind) {
      case CLOSE:
      case COMMA:
      case DOT:
      case CAST:
      case SEMICOLON:
        return false;
      case OPEN:
        if (c == '[') {
          return !(prevIsOperand() || prevKeyword == Keywords.ARRAY);
        }
        return !(prev == TokenKind.IDENTIFIER
            || (prev == TokenKind.KEYWORD && Keywords.isFunctionLike(prevKeyword)));
      default:
        return true;
    }
  }

  private boolean prevIsOperand() {
    if (prev == null) {
      return false;
    }
    switch (prev) {
      case IDENTIFIER:
      case PLACEHOLDER:
      case CLOSE:
        return true;
      case KEYWORD:
        return Keywords.isOperand(prevKeyword);
      default:
        return false;
    }
  }

  private boolean sameText(int start, int end, int otherStart, int otherEnd) {
    if (end - start != otherEnd - otherStart) {
      return false;
    }
    for (int i = 0; i < end - start; i++) {
      if (out.charAt(start + i) != out.charAt(otherStart + i)) {
        return false;
      }
    }
    return true;
  }

  private void ensureCapacity(int frames) {
    if (frames <= openPos.length) {
      return;
    }
    int size = Math.min(Math.max(frames, openPos.length * 2), maxDepth);
    openPos = Arrays.copyOf(openPos, size);
    frameKind = Arrays.copyOf(frameKind, size);
    onlyConstants = Arrays.copyOf(onlyConstants, size);
    firstElementEnd = Arrays.copyOf(firstElementEnd, size);
    valuesState = Arrays.copyOf(valuesState, size + 1);
    firstRowStart = Arrays.copyOf(firstRowStart, size + 1);
    firstRowEnd = Arrays.copyOf(firstRowEnd, size + 1);
    commaPos = Arrays.copyOf(commaPos, size + 1);
  }
}
