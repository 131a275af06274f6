package dev.optimizer.ai.chat.internal.cache;

import dev.langchain4j.model.chat.request.ChatRequest;
import dev.optimizer.runtime.cache.TieredCache;
import java.time.Duration;
import java.util.Optional;

/** The exact tier: a {@link TieredCache} by {@link ChatKey}, bounded in bytes and by age. */
public final class ExactTier implements ChatCacheTier {
  private final TieredCache<ChatKey, CachedAnswer> cache;

  /**
   * A tier of at most {@code maximumBytes}, entries expiring {@code ttl} after they were written.
   */
  public ExactTier(long maximumBytes, Duration ttl, dev.optimizer.api.Ticker ticker) {
    this.cache =
        TieredCache.<ChatKey, CachedAnswer>builder()
            .name("ai.chat.exact")
            .maximumWeightBytes(maximumBytes)
            .expireAfterWrite(ttl)
            // The key holds the scope and the model's identity besides its digest.
            .weigher(
                (k, v) ->
                    (int)
                        Math.min(
                            Integer.MAX_VALUE,
                            96L
                                + 2L
                                    * (k.scope().length()
                                        + k.provider().length()
                                        + k.digest().length())
                                + v.weightBytes()))
            .ticker(ticker)
            .executor(Runnable::run)
            .build();
  }

  @Override
  public String name() {
    return "exact";
  }

  @Override
  public Optional<CachedAnswer> lookup(ChatKey key, ChatRequest request) {
    return Optional.ofNullable(cache.getIfPresent(key));
  }

  @Override
  public void store(ChatKey key, ChatRequest request, CachedAnswer answer) {
    cache.put(key, answer);
  }

  @Override
  public boolean evict(ChatKey key, ChatRequest request) {
    boolean present = cache.getIfPresent(key) != null;
    cache.invalidate(key);
    return present;
  }

  @Override
  public boolean feedback(ChatKey key, ChatRequest request, boolean correct) {
    return correct ? cache.getIfPresent(key) != null : evict(key, request);
  }

  @Override
  public void evictAll() {
    cache.invalidateAll();
  }

  /** Approximate bytes held. */
  public long weightedSizeBytes() {
    cache.cleanUp();
    return cache.weightedSizeBytes();
  }

  @Override
  public void close() {
    cache.close();
  }
}
