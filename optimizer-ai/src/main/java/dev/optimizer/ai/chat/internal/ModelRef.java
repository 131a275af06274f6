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
    String id =
        p.toLowerCase(java.util.Locale.ROOT)
            + ":"
            + (name != null ? name : model.getClass().getSimpleName());
    return new ModelRef(p, name, id, ChatMetrics.model(p, name));
  }
}
