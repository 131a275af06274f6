package dev.optimizer.ai.chat;

import dev.langchain4j.model.chat.request.ChatRequest;

/**
 * Chooses the cheap or the strong model for a request. Called once per request before the cache is
 * consulted (the chosen model is part of the cache key); must be fast, thread-safe and free of side
 * effects. The default is {@link RuleBasedRouter#defaults()}.
 */
@FunctionalInterface
public interface ModelRouter {

  /**
   * The routing decision.
   *
   * @param request the request as the application made it (parameters not yet merged with the
   *     model's defaults)
   * @return the tier and a short, low-cardinality reason (recorded as a metric attribute)
   */
  Route route(ChatRequest request);

  /**
   * A routing decision.
   *
   * @param tier the model tier chosen
   * @param reason a short, low-cardinality reason, e.g. {@code long-prompt}, {@code tools}
   */
  record Route(ModelTier tier, String reason) {
    /** Checks the components. */
    public Route {
      if (tier == null) {
        throw new IllegalArgumentException("tier must not be null");
      }
      if (reason == null || reason.isBlank()) {
        throw new IllegalArgumentException("reason must not be blank, but was '" + reason + "'");
      }
    }
  }
}
