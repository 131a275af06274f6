package dev.optimizer.db.internal;

/**
 * What the wrapper needs to know about a statement's text: its fingerprint and the names the
 * OpenTelemetry database conventions ask for. Never holds a literal value.
 *
 * @param id the fingerprint's stable id
 * @param text the sanitized, normalized text (literals and bind markers as {@code ?})
 * @param operation e.g. {@code SELECT}; empty when unknown
 * @param collection the main table; empty when unknown
 * @param summary a low-cardinality summary such as {@code SELECT users}
 */
public record StatementKey(
    long id, String text, String operation, String collection, String summary) {

  /**
   * The longest text, in characters, that a finding kept for the life of a data source (an N+1
   * loop, a write loop, and the recommendation made of it) holds; see {@link #findingText()}.
   */
  public static final int MAX_FINDING_TEXT = 1024;

  /** Appended to a text cut to {@link #MAX_FINDING_TEXT}, as to a truncated fingerprint's text. */
  public static final String TRUNCATION_MARK = " …";

  /**
   * The text a finding keeps: {@link #text()} itself (the same String, shared with the statistics
   * entry and the fingerprinter's cache) when it is at most {@link #MAX_FINDING_TEXT} characters,
   * else its first {@code MAX_FINDING_TEXT} characters and {@link #TRUNCATION_MARK}. A statement's
   * normalized text may be as long as {@code maxStatementLength} (64 KiB by default), and up to
   * {@code ReportedOnce.MAX} (10,000) findings of each kind are kept per data source: full texts
   * could hold 640 MB, cut ones hold at most 10,000 × 1,026 characters (about 10 MB, 20 MB in
   * UTF-16) per kind.
   */
  public String findingText() {
    if (text.length() <= MAX_FINDING_TEXT) {
      return text;
    }
    // Never between the two halves of a surrogate pair.
    int end =
        Character.isHighSurrogate(text.charAt(MAX_FINDING_TEXT - 1))
            ? MAX_FINDING_TEXT - 1
            : MAX_FINDING_TEXT;
    return text.substring(0, end) + TRUNCATION_MARK;
  }
}
