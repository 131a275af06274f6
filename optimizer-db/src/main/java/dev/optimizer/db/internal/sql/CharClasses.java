package dev.optimizer.db.internal.sql;

/**
 * Character classes for {@link SqlLexer}, looked up in a table for ASCII instead of chains of
 * comparisons, since the lexer asks for every character. Any non-ASCII character that is not
 * whitespace may be part of an identifier, as in PostgreSQL and MySQL.
 */
final class CharClasses {

  private static final byte IDENTIFIER_START = 1;
  private static final byte IDENTIFIER_PART = 2;
  private static final byte DIGIT = 4;
  private static final byte HEX_DIGIT = 8;
  private static final byte OPERATOR = 16;
  private static final byte[] ASCII = new byte[128];

  static {
    for (char c = 0; c < 128; c++) {
      boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
      boolean digit = c >= '0' && c <= '9';
      boolean hex = digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      ASCII[c] =
          (byte)
              ((letter ? IDENTIFIER_START : 0)
                  | (letter || digit || c == '$' ? IDENTIFIER_PART : 0)
                  | (digit ? DIGIT : 0)
                  | (hex ? HEX_DIGIT : 0)
                  | ("+-*/<>=~!@#%^&|".indexOf(c) >= 0 ? OPERATOR : 0));
    }
  }

  private CharClasses() {}

  /** A letter, {@code _} or non-ASCII character; MySQL's leading {@code $} is the lexer's call. */
  static boolean isIdentifierStart(char c) {
    return c < 128 ? (ASCII[c] & IDENTIFIER_START) != 0 : !isSpace(c);
  }

  /** What may follow in an unquoted identifier: also digits and {@code $}. */
  static boolean isIdentifierPart(char c) {
    return c < 128 ? (ASCII[c] & IDENTIFIER_PART) != 0 : !isSpace(c);
  }

  /** A character of a dollar-quote tag: like an identifier's, but never {@code $}. */
  static boolean isTagChar(char c) {
    return c < 128 ? (ASCII[c] & (IDENTIFIER_START | DIGIT)) != 0 : !isSpace(c);
  }

  /** Whitespace, including control characters and Unicode spaces. */
  static boolean isSpace(char c) {
    return c <= ' ' || (c >= 0x80 && (Character.isWhitespace(c) || Character.isSpaceChar(c)));
  }

  static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  static boolean isHexDigit(char c) {
    return c < 128 && (ASCII[c] & HEX_DIGIT) != 0;
  }

  /** A character that may be part of an operator such as {@code <>}, {@code ->>} or {@code @>}. */
  static boolean isOperatorChar(char c) {
    return c < 128 && (ASCII[c] & OPERATOR) != 0;
  }
}
