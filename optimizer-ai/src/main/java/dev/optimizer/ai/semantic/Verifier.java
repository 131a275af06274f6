package dev.optimizer.ai.semantic;

/**
 * A second opinion on a semantic hit, for high-stakes use: a cross-encoder, or an LLM asked "do
 * these two questions ask the same thing?". Called only on candidates the {@link PrecisionGuard}
 * has already accepted, best first, outside the cache's locks; a candidate it refuses is not
 * served.
 *
 * <p>Must be thread-safe. An exception it throws reaches the caller of {@link
 * SemanticCache#lookup}.
 */
@FunctionalInterface
public interface Verifier {

  /** Returns whether {@code candidate}'s cached answer may be served for {@code query}. */
  boolean verify(String query, String candidate);
}
