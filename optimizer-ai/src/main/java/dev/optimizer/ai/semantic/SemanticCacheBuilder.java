package dev.optimizer.ai.semantic;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.optimizer.api.Ticker;
import dev.optimizer.api.internal.Checks;
import java.time.Duration;

/**
 * Settings of a {@link SemanticCache}; each is checked when given, and a setting given twice is
 * refused.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th></tr>
 *   <tr><td>guard</td><td>{@link FeatureGuard#defaults()}</td><td>any {@link PrecisionGuard}</td></tr>
 *   <tr><td>decisionThreshold</td><td>{@value #DEFAULT_DECISION_THRESHOLD} (for the default guard;
 *       required with any other)</td><td>[-1, 1]</td></tr>
 *   <tr><td>similarityThreshold</td><td>{@value #DEFAULT_SIMILARITY_THRESHOLD}: candidates below
 *       are not scored</td><td>[-1, 1]</td></tr>
 *   <tr><td>topK</td><td>5 candidates scored per lookup</td><td>[1, 100]</td></tr>
 *   <tr><td>verifier</td><td>none</td><td>any {@link Verifier}</td></tr>
 *   <tr><td>maxEntriesPerScope</td><td>10,000</td><td>[1, 10,000,000]</td></tr>
 *   <tr><td>maxScopes</td><td>10,000 (least recently used scope dropped beyond)</td><td>[1,
 *       10,000,000]</td></tr>
 *   <tr><td>maxBytes</td><td>256 MiB over all scopes (texts, vectors, values; least recently
 *       used entries of the least recently used scopes go first)</td><td>[1 KiB, 1 TiB]</td></tr>
 *   <tr><td>ttl</td><td>none</td><td>[1 ms, 3650 days]</td></tr>
 *   <tr><td>maxTextChars</td><td>8,000 (longer texts pass through)</td><td>[1, 1,000,000]</td></tr>
 *   <tr><td>ticker</td><td>{@link Ticker#system()}</td><td></td></tr>
 * </table>
 */
public final class SemanticCacheBuilder {

  /**
   * The default guard's decision threshold: with {@link FeatureGuard#defaults()} a cosine of at
   * least 0.995 and no rule firing.
   */
  public static final double DEFAULT_DECISION_THRESHOLD = 0.5;

  /** Candidates below this cosine similarity are not even scored by default. */
  public static final double DEFAULT_SIMILARITY_THRESHOLD = 0.8;

  final EmbeddingModel model;
  PrecisionGuard guard = FeatureGuard.defaults();
  private boolean guardSet;
  Verifier verifier;
  double similarityThreshold = DEFAULT_SIMILARITY_THRESHOLD;
  private boolean similaritySet;
  double decisionThreshold = DEFAULT_DECISION_THRESHOLD;
  private boolean decisionSet;
  int topK = 5;
  private boolean topKSet;
  int maxEntriesPerScope = 10_000;
  private boolean maxEntriesSet;
  int maxScopes = 10_000;
  private boolean maxScopesSet;
  long maxBytes = 256L << 20;
  private boolean maxBytesSet;
  Duration ttl;
  int maxTextChars = 8_000;
  private boolean maxTextSet;
  Ticker ticker = Ticker.system();
  private boolean tickerSet;

  SemanticCacheBuilder(EmbeddingModel model) {
    this.model = model;
  }

  /** Sets the precision guard; then {@link #decisionThreshold} must be set too. */
  public SemanticCacheBuilder guard(PrecisionGuard guard) {
    Checks.notSetBefore("guard", guardSet);
    this.guard = Checks.notNull("guard", guard);
    guardSet = true;
    return this;
  }

  /** Sets the guard score a candidate needs to be served, in {@code [-1, 1]}. */
  public SemanticCacheBuilder decisionThreshold(double threshold) {
    Checks.notSetBefore("decisionThreshold", decisionSet);
    this.decisionThreshold = Checks.inRange("decisionThreshold", threshold, -1.0, 1.0);
    decisionSet = true;
    return this;
  }

  /** Sets the cosine similarity below which candidates are not scored, in {@code [-1, 1]}. */
  public SemanticCacheBuilder similarityThreshold(double threshold) {
    Checks.notSetBefore("similarityThreshold", similaritySet);
    this.similarityThreshold = Checks.inRange("similarityThreshold", threshold, -1.0, 1.0);
    similaritySet = true;
    return this;
  }

  /** Sets how many nearest entries the guard scores per lookup, in {@code [1, 100]}. */
  public SemanticCacheBuilder topK(int topK) {
    Checks.notSetBefore("topK", topKSet);
    this.topK = Checks.inRange("topK", topK, 1, 100);
    topKSet = true;
    return this;
  }

  /** Sets a verifier asked about every candidate the guard accepts before it is served. */
  public SemanticCacheBuilder verifier(Verifier verifier) {
    Checks.notSetBefore("verifier", this.verifier != null);
    this.verifier = Checks.notNull("verifier", verifier);
    return this;
  }

  /** Sets the entries a scope keeps (least recently used out first), in {@code [1, 10^7]}. */
  public SemanticCacheBuilder maxEntriesPerScope(int max) {
    Checks.notSetBefore("maxEntriesPerScope", maxEntriesSet);
    this.maxEntriesPerScope = Checks.inRange("maxEntriesPerScope", max, 1, 10_000_000);
    maxEntriesSet = true;
    return this;
  }

  /**
   * Sets the bound on what all scopes hold together (texts, vectors, values), in {@code [1 KiB, 1
   * TiB]}; beyond it the least recently used entries of the least recently used scopes go first.
   */
  public SemanticCacheBuilder maxBytes(long max) {
    Checks.notSetBefore("maxBytes", maxBytesSet);
    this.maxBytes = Checks.inRange("maxBytes", max, 1024L, 1L << 40);
    maxBytesSet = true;
    return this;
  }

  /** Sets the scopes kept (least recently used dropped first), in {@code [1, 10^7]}. */
  public SemanticCacheBuilder maxScopes(int max) {
    Checks.notSetBefore("maxScopes", maxScopesSet);
    this.maxScopes = Checks.inRange("maxScopes", max, 1, 10_000_000);
    maxScopesSet = true;
    return this;
  }

  /** Sets how long an entry lives after it is put, in {@code [1 ms, 3650 days]}. */
  public SemanticCacheBuilder ttl(Duration ttl) {
    Checks.notSetBefore("ttl", this.ttl != null);
    this.ttl = Checks.inRange("ttl", ttl, Duration.ofMillis(1), Duration.ofDays(3650));
    return this;
  }

  /** Sets the longest text cached; longer ones pass through. In {@code [1, 1,000,000]}. */
  public SemanticCacheBuilder maxTextChars(int max) {
    Checks.notSetBefore("maxTextChars", maxTextSet);
    this.maxTextChars = Checks.inRange("maxTextChars", max, 1, 1_000_000);
    maxTextSet = true;
    return this;
  }

  /** Sets the time source of the TTL (a manual one in tests). */
  public SemanticCacheBuilder ticker(Ticker ticker) {
    Checks.notSetBefore("ticker", tickerSet);
    this.ticker = Checks.notNull("ticker", ticker);
    tickerSet = true;
    return this;
  }

  /**
   * Builds the cache.
   *
   * @throws IllegalStateException if a guard was set without a decision threshold (the default
   *     threshold belongs to the default guard's score scale)
   */
  public <V> SemanticCache<V> build() {
    if (guardSet && !decisionSet) {
      throw new IllegalStateException(
          "decisionThreshold must be set with a custom guard: the default "
              + DEFAULT_DECISION_THRESHOLD
              + " is on the default guard's scale");
    }
    return new SemanticCache<>(this);
  }
}
