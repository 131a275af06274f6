package dev.optimizer.ai.chat.internal;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.optimizer.ai.chat.internal.telemetry.ChatMetrics;
import io.opentelemetry.api.common.Attributes;

/**
 * The identity of a wrapped model: provider and default model name, the id of its circuit breaker
 * and its metric attributes.
 */
public record ModelRef(String provider, String name, String id, Attributes attributes) {

  /** The identity of a model with these defaults. */
  public static ModelRef of(ModelProvider provider, ChatRequestParameters defaults, Object model) {
    String p = provider == null ? "other" : provider.name();
    String name = defaults == null ? null : defaults.modelName();
    // The class's full name, not its simple one: an anonymous or local class has an empty simple
    // name, and all such models would share one circuit breaker.
    String id =
        p.toLowerCase(java.util.Locale.ROOT)
            + ":"
            + (name != null ? name : model.getClass().getName());
    return new ModelRef(p, name, id, ChatMetrics.model(p, name));
  }

  /**
   * What a cache key holds to say which model answered: the provider when the model has a default
   * name (the name itself is in the key with the other parameters), else the provider and {@code
   * instanceId}, an id of the wrapped instance. Two models without names (custom {@code
   * ChatModel}s, say) would otherwise share answers and coalesce with each other.
   */
  public String cacheIdentity(String instanceId) {
    return name != null ? provider : provider + "#" + instanceId;
  }
}
