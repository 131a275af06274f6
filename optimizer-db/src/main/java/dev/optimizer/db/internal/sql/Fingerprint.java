package dev.optimizer.db.internal.sql;

import java.util.Optional;

/**
 * The identity of a class of SQL statements that differ only in their literal values, bind markers,
 * comments, whitespace and keyword case, as {@link Fingerprinter} computes it. Immutable.
 *
 * <p>Nothing here holds a literal value of the statement: the normalized text has {@code ?} in
 * their place, and the operation, collection and summary are taken from that text. The original
 * length is kept for diagnosis but is not part of the identity: two fingerprints are equal when
 * their id, normalized text, dialect and flags are.
 */
public final class Fingerprint {

  private static final int TO_STRING_TEXT_LIMIT = 200;

  private final long id;
  private final String normalizedText;
  private final String operation;
  private final String collection;
  private final String querySummary;
  private final SqlDialect dialect;
  private final boolean fallback;
  private final boolean truncated;
  private final int originalLength;

  Fingerprint(
      long id,
      String normalizedText,
      String operation,
      String collection,
      String querySummary,
      SqlDialect dialect,
      boolean fallback,
      boolean truncated,
      int originalLength) {
    this.id = id;
    this.normalizedText = normalizedText;
    this.operation = operation;
    this.collection = collection;
    this.querySummary = querySummary;
    this.dialect = dialect;
    this.fallback = fallback;
    this.truncated = truncated;
    this.originalLength = originalLength;
  }

  /**
   * A stable 64-bit id: FNV-1a over the UTF-16 code units of {@link #normalizedText()} (one unit
   * per step), finished with the SplitMix64 mixer. It depends on nothing but that text, so it is
   * the same across runs, machines and dialects.
   */
  public long id() {
    return id;
  }

  /** {@link #id()} as 16 lower-case hex digits, for logs and attributes. */
  public String hexId() {
    String hex = Long.toHexString(id);
    return "0".repeat(16 - hex.length()) + hex;
  }

  /**
   * The statement with literals and bind markers replaced by {@code ?}, constant lists collapsed,
   * comments dropped, whitespace collapsed and keywords upper-cased. A truncated statement's text
   * is the normalized prefix followed by {@code " …"}.
   */
  public String normalizedText() {
    return normalizedText;
  }

  /**
   * The main operation, upper-case, such as {@code SELECT}, {@code INSERT}, {@code CREATE TABLE} or
   * {@code BEGIN} (for {@code WITH .. SELECT}, {@code SELECT}); empty if none was recognized.
   */
  public String operation() {
    return operation;
  }

  /** The one table the main operation works on, if there is exactly one and it is plain to see. */
  public Optional<String> collection() {
    return Optional.ofNullable(collection);
  }

  /**
   * A low-cardinality summary in the form of the OpenTelemetry {@code db.query.summary} attribute,
   * such as {@code "SELECT users"} or {@code "INSERT shipping_details SELECT orders"}; at most 255
   * characters; empty when no operation was recognized.
   */
  public String querySummary() {
    return querySummary;
  }

  /** The dialect the statement was lexed as. */
  public SqlDialect dialect() {
    return dialect;
  }

  /**
   * Whether the statement could not be made sense of: blank, no known operation, an unterminated
   * string or comment, unbalanced parentheses, or nesting too deep to collapse. Such a statement is
   * still fingerprinted as well as possible.
   */
  public boolean fallback() {
    return fallback;
  }

  /** Whether the statement was longer than the maximum and only a prefix was normalized. */
  public boolean truncated() {
    return truncated;
  }

  /** The length in characters of the statement as given. */
  public int originalLength() {
    return originalLength;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Fingerprint)) {
      return false;
    }
    Fingerprint other = (Fingerprint) o;
    return id == other.id
        && fallback == other.fallback
        && truncated == other.truncated
        && dialect == other.dialect
        && normalizedText.equals(other.normalizedText);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(id);
  }

  @Override
  public String toString() {
    String text =
        normalizedText.length() <= TO_STRING_TEXT_LIMIT
            ? normalizedText
            : normalizedText.substring(0, TO_STRING_TEXT_LIMIT) + " …";
    return "Fingerprint{id="
        + hexId()
        + ", summary='"
        + querySummary
        + "', dialect="
        + dialect
        + (fallback ? ", fallback" : "")
        + (truncated ? ", truncated from " + originalLength + " chars" : "")
        + ", text='"
        + text
        + "'}";
  }
}
