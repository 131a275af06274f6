/**
 * Semantic caching for LLM prompts: {@link dev.optimizer.ai.semantic.SemanticCache} finds a cached
 * answer for a text that asks the same thing as one seen before, within the caller's scope, with an
 * exact-text tier in front, a {@link dev.optimizer.ai.semantic.PrecisionGuard} against what
 * embeddings miss (numbers, negation, swapped roles, one-sided words), an optional {@link
 * dev.optimizer.ai.semantic.Verifier} and per-entry thresholds taught by feedback.
 */
package dev.optimizer.ai.semantic;
