package dev.optimizer.ai.chat;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

/**
 * A {@link ChatModel} returned by {@code AiOptimizer.wrap}: the wrapped model with caching,
 * coalescing, routing, budgets and resilience, plus the administration of its cache entries.
 *
 * <p>Entries are addressed by the request as the application makes it (the model's default
 * parameters are merged in, as for a call) and by scope; the methods without a scope use the scope
 * a call would have (the scope resolver, else {@code AiScope}, else the default scope).
 */
public interface OptimizedChatModel extends ChatModel {

  /** Removes the cached answer of {@code request} in the current scope; true if there was one. */
  boolean evict(ChatRequest request);

  /** Removes the cached answer of {@code request} in {@code scope}; true if there was one. */
  boolean evict(String scope, ChatRequest request);

  /**
   * Replaces the cached answer of {@code request} in the current scope by {@code response}, e.g.
   * after a person corrected a wrong answer.
   *
   * @throws IllegalArgumentException if the request is not cacheable (the message names the rule or
   *     setting it breaks, the limit and the request's value: {@code maxCacheableTemperature},
   *     {@code cacheWithoutTemperature}, {@code maxPromptBytes}, non-text content, the cache off)
   *     or the response could not be cached (no text, a finish reason other than {@code STOP}, tool
   *     execution requests); nothing is changed then
   */
  void correct(ChatRequest request, ChatResponse response);

  /** Like {@link #correct(ChatRequest, ChatResponse)} in {@code scope}. */
  void correct(String scope, ChatRequest request, ChatResponse response);

  /**
   * Tells the cache whether the answer it gave for {@code request} (in the current scope) was
   * right, where the application can tell (a user's thumbs-down, a verifier, a test). A wrong
   * answer served by the semantic tier raises the threshold of the entry that answered, so this
   * wording no longer reaches it while closer ones still do; a wrong answer stored for this very
   * request is removed. A right answer changes nothing.
   *
   * @return whether some cached entry was concerned
   */
  boolean feedback(ChatRequest request, boolean correct);

  /** Like {@link #feedback(ChatRequest, boolean)} in {@code scope}. */
  boolean feedback(String scope, ChatRequest request, boolean correct);
}
