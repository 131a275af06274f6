package dev.optimizer.db.internal.sql;

/** The kinds of token {@link SqlLexer} reports. Whitespace and comments are never reported. */
enum TokenType {
  /** A keyword or an unquoted identifier, including MySQL {@code @variables}. */
  WORD,
  /** An identifier in double quotes (PostgreSQL, H2, standard) or backticks. */
  QUOTED_IDENTIFIER,
  /** A string literal of any form: {@code '..'}, {@code E'..'}, {@code $$..$$}, {@code X'..'}. */
  STRING,
  /** A numeric literal: {@code 42}, {@code 1.5e-3}, {@code .5}, {@code 0x1F}. */
  NUMBER,
  /** A bind marker: {@code ?}, {@code ?1}, {@code $1}, {@code :name}. */
  BIND_MARKER,
  OPEN_PAREN,
  CLOSE_PAREN,
  OPEN_BRACKET,
  CLOSE_BRACKET,
  COMMA,
  DOT,
  SEMICOLON,
  /** PostgreSQL's {@code ::} cast. */
  CAST,
  /** An operator such as {@code =}, {@code <>}, {@code ||}, {@code ->>}. */
  OPERATOR,
  /** Any other single character, such as the braces of a JDBC escape. */
  OTHER,
  /** The end of the input. */
  EOF
}
