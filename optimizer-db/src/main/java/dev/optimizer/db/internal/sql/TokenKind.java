package dev.optimizer.db.internal.sql;

/**
 * The kinds of token in normalized text, as {@link SqlNormalizer} writes them and hands them to
 * {@link QuerySummarizer}. Literals and bind markers have become placeholders; comments are gone.
 */
enum TokenKind {
  KEYWORD,
  IDENTIFIER,
  /** The {@code ?} that stands for any literal or bind marker. */
  PLACEHOLDER,
  /** {@code (} or {@code [}. */
  OPEN,
  /** {@code )} or {@code ]}. */
  CLOSE,
  COMMA,
  DOT,
  CAST,
  OPERATOR,
  SEMICOLON,
  OTHER
}
