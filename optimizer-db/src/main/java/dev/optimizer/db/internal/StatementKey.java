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

  /**
   * The longest text, in characters, that a statistics entry ({@code StatementTable}, read through
   * {@code StatementInsight}) keeps; see {@link #statisticsKey()}. MySQL's statement digests keep
   * 1,024 bytes by default ({@code performance_schema_max_digest_length}); 4,096 characters leave
   * room for the column lists ORMs generate, and the summary names the operation and table anyway.
   */
  public static final int MAX_STATISTICS_TEXT = 4096;

  /**
   * Appended to a text cut to {@link #MAX_FINDING_TEXT} or {@link #MAX_STATISTICS_TEXT}, as to a
   * truncated fingerprint's text.
   */
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
    return cut(text, MAX_FINDING_TEXT);
  }

  /**
   * The key a statistics entry keeps: this key itself when its text is at most {@link
   * #MAX_STATISTICS_TEXT} characters, else the same key with its text cut to that and {@link
   * #TRUNCATION_MARK}. The id is not recomputed: it is the hash of the full normalized text, so two
   * statements that differ only past the cut keep two entries. Up to {@code maxFingerprints} (5,000
   * by default) entries live as long as the data source, and a normalized text may be as long as
   * {@code maxStatementLength} (64 KiB by default): full texts could hold 320 MB (640 MB in
   * UTF-16), cut ones hold at most 5,000 × 4,098 characters (about 20 MB, 40 MB in UTF-16).
   */
  public StatementKey statisticsKey() {
    return text.length() <= MAX_STATISTICS_TEXT
        ? this
        : new StatementKey(id, cut(text, MAX_STATISTICS_TEXT), operation, collection, summary);
  }

  /** {@code text} itself when at most {@code max} characters, else its prefix and the mark. */
  private static String cut(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    // Never between the two halves of a surrogate pair.
    int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
    return text.substring(0, end) + TRUNCATION_MARK;
  }
}
