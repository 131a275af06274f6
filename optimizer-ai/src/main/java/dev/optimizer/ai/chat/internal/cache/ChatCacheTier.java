package dev.optimizer.ai.chat.internal.cache;

import dev.langchain4j.model.chat.request.ChatRequest;
import java.util.Optional;

/**
 * One lookup tier of the chat cache, consulted in order after the request passed the cacheability
 * rules: the exact tier first, then (wired in separately) a semantic tier. A tier sees the key
 * (scope included) and the effective request, so a semantic tier can filter by scope before it
 * searches and read the last user turn; it must never return an entry of another scope.
 * Implementations are thread-safe; {@link #close()} releases what they hold.
 */
public interface ChatCacheTier extends AutoCloseable {

  /** A short, fixed name recorded as the {@code optimizer.ai.cache.tier} attribute of hits. */
  String name();

  /** The stored answer for this request, if this tier has one. */
  Optional<CachedAnswer> lookup(ChatKey key, ChatRequest request);

  /** Stores an answer the rules allowed (complete, not cut at the length limit, no tool calls). */
  void store(ChatKey key, ChatRequest request, CachedAnswer answer);

  /** Replaces the stored answer, e.g. after a person corrected it. */
  default void replace(ChatKey key, ChatRequest request, CachedAnswer answer) {
    store(key, request, answer);
  }

  /** Removes the entry for this request; true if there was one. */
  boolean evict(ChatKey key, ChatRequest request);

  /**
   * Applies the application's verdict on the answer this tier gave for the request: a wrong one is
   * not served again for it. Returns whether an entry was concerned.
   */
  boolean feedback(ChatKey key, ChatRequest request, boolean correct);

  /** Removes every entry. */
  void evictAll();

  @Override
  void close();
}
