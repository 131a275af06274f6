package dev.optimizer.ai.chat.internal.cache;

import dev.langchain4j.model.chat.request.ChatRequest;
import dev.optimizer.ai.internal.Recent;
import dev.optimizer.ai.semantic.SemanticCache;
import io.opentelemetry.api.metrics.Meter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The semantic tier: the last user turn matched by meaning ({@link SemanticCache}: exact text, then
 * embeddings, the precision guard and an optional verifier) among earlier turns of the same
 * context, the context being the digest of everything else in the request (scope, provider, every
 * parameter, the system prompt and, when last-turn matching is on, the earlier turns). So the scope
 * filter applies before the similarity search, and two requests share an answer only when they
 * differ in nothing but the wording of their question.
 *
 * <p>Only single-turn prompts (system messages, then one user message of text) take part by
 * default; with {@code lastTurn} on, a conversation's last turn does too, within the context of its
 * earlier turns. Thread-safe.
 */
public final class SemanticTier implements ChatCacheTier {
  private final SemanticCache<CachedAnswer> cache;
  private final KeyMaker keys;
  private final boolean singleTurnOnly;
  private final AutoCloseable owned;
  private final List<AutoCloseable> observers = new ArrayList<>();
  // The hits served lately, so that the application's verdict reaches the entry that answered.
  private final Recent<KeyMaker.TurnContext, SemanticCache.Hit<CachedAnswer>> served =
      new Recent<>(4096);

  /**
   * A tier over {@code cache}, which it closes on {@link #close()}, with {@code owned} (the
   * embedding model it loaded itself, or null). Its counters are observed on {@code meter}: {@code
   * optimizer.ai.cache.guard_rejections} and {@code optimizer.ai.cache.verifier_rejections}.
   */
  public SemanticTier(
      SemanticCache<CachedAnswer> cache,
      KeyMaker keys,
      boolean lastTurn,
      AutoCloseable owned,
      Meter meter) {
    this.cache = cache;
    this.keys = keys;
    this.singleTurnOnly = !lastTurn;
    this.owned = owned;
    observers.add(
        meter
            .counterBuilder("optimizer.ai.cache.guard_rejections")
            .setUnit("{lookup}")
            .setDescription(
                "Semantic lookups whose similar candidates the precision guard all refused.")
            .buildWithCallback(m -> m.record(cache.stats().guardRejections())));
    observers.add(
        meter
            .counterBuilder("optimizer.ai.cache.verifier_rejections")
            .setUnit("{candidate}")
            .setDescription("Semantic candidates the verifier refused.")
            .buildWithCallback(m -> m.record(cache.stats().verifierRejections())));
  }

  @Override
  public String name() {
    return "semantic";
  }

  private Optional<KeyMaker.TurnContext> turn(ChatKey key, ChatRequest request) {
    return keys.lastTurn(key.scope(), key.provider(), request, singleTurnOnly);
  }

  @Override
  public Optional<CachedAnswer> lookup(ChatKey key, ChatRequest request) {
    Optional<KeyMaker.TurnContext> turn = turn(key, request);
    if (turn.isEmpty()) {
      return Optional.empty();
    }
    KeyMaker.TurnContext t = turn.get();
    Optional<SemanticCache.Hit<CachedAnswer>> hit = cache.lookup(t.context(), t.text());
    hit.ifPresent(h -> served.remember(t, h));
    return hit.map(SemanticCache.Hit::value);
  }

  @Override
  public boolean feedback(ChatKey key, ChatRequest request, boolean correct) {
    Optional<KeyMaker.TurnContext> turn = turn(key, request);
    if (turn.isEmpty()) {
      return false;
    }
    KeyMaker.TurnContext t = turn.get();
    SemanticCache.Hit<CachedAnswer> hit = served.take(t);
    if (hit != null) {
      cache.feedback(hit, correct);
      return true;
    }
    return !correct && cache.evict(t.context(), t.text());
  }

  @Override
  public void store(ChatKey key, ChatRequest request, CachedAnswer answer) {
    turn(key, request)
        .ifPresent(t -> cache.put(t.context(), t.text(), answer, answer.weightBytes()));
  }

  @Override
  public boolean evict(ChatKey key, ChatRequest request) {
    return turn(key, request).map(t -> cache.evict(t.context(), t.text())).orElse(false);
  }

  @Override
  public void evictAll() {
    cache.clear();
  }

  /** The semantic cache's counters. */
  public SemanticCache.Stats stats() {
    return cache.stats();
  }

  @Override
  public void close() {
    for (AutoCloseable o : observers) {
      try {
        o.close();
      } catch (Exception e) {
        // an instrument that cannot be removed keeps reporting a closed cache's last counts
      }
    }
    cache.close();
    if (owned != null) {
      try {
        owned.close();
      } catch (Exception e) {
        System.getLogger(SemanticTier.class.getName())
            .log(System.Logger.Level.WARNING, "closing the semantic cache's embedding model", e);
      }
    }
  }
}
