package dev.optimizer.ai.semantic;

/**
 * Decides how far a cached entry may answer a query, beyond the embeddings' cosine similarity.
 * Returns one decision score per (query, candidate); the cache serves a candidate only when the
 * score reaches its {@linkplain SemanticCacheBuilder#decisionThreshold decision threshold} (and the
 * entry's own, raised by {@linkplain SemanticCache#feedback feedback}).
 *
 * <p>Implementations must be thread-safe, fast (they run on every candidate of every lookup) and
 * monotone in spirit: a higher score means more likely the same question. {@link #cosine()} is the
 * plain threshold; {@link FeatureGuard#defaults()} adds the rules for numbers, negation, word order
 * and one-sided words; {@link BoostedGuard} is learnt from pairs labelled for the application.
 */
@FunctionalInterface
public interface PrecisionGuard {

  /**
   * Returns the decision score of serving {@code candidate}'s cached answer for {@code query}.
   *
   * @param query the text looked up
   * @param candidate the cached entry's text
   * @param similarity the cosine similarity of their embeddings, in {@code [-1, 1]}
   */
  double score(String query, String candidate, double similarity);

  /** The plain threshold: the score is the cosine similarity itself. */
  static PrecisionGuard cosine() {
    return (query, candidate, similarity) -> similarity;
  }
}
