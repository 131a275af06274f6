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
   * @throws IllegalArgumentException if the request is not cacheable or the response could not be
   *     cached (no text, cut at the length limit, tool execution requests)
   */
  void correct(ChatRequest request, ChatResponse response);

  /** Like {@link #correct(ChatRequest, ChatResponse)} in {@code scope}. */
  void correct(String scope, ChatRequest request, ChatResponse response);
}
