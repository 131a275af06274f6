package dev.optimizer.ai.chat.internal;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.optimizer.ai.chat.internal.telemetry.ChatMetrics;
import io.opentelemetry.api.common.Attributes;

/**
 * A wrapped model as one request addresses it: its provider, the model name the request asks for
 * (the request's own {@code modelName} when it sets one, else the model's default), the model's
 * identity (endpoint or instance), the id of its circuit breaker and its metric attributes.
 *
 * @param provider the LangChain4j provider's name ({@code OPEN_AI}), {@code other} when none
 * @param name the model name the request asks for, or null when neither it nor the model has one
 * @param instance the identity of the wrapped model: its endpoint, else the instance ({@link
 *     ChatCore#instance})
 * @param settings the digest of the model's answer-changing settings ({@link
 *     ChatCore#modelSettings}), "" when it has none
 * @param id the circuit breaker's id: provider, name and identity, so a request naming another
 *     model, or another endpoint serving a model of the same name, never trips this one's breaker
 * @param attributes {@code gen_ai.*} attributes of calls for this request
 */
public record ModelRef(
    String provider,
    String name,
    String instance,
    String settings,
    String id,
    Attributes attributes) {

  /**
   * The model of identity {@code instance}, built with {@code settings} ({@link
   * ChatCore#modelSettings}, "" for none), with these effective parameters (its defaults overridden
   * by the request's).
   */
  public static ModelRef of(
      ModelProvider provider, ChatRequestParameters effective, String instance, String settings) {
    String p = provider == null ? "other" : provider.name();
    String name = effective == null ? null : effective.modelName();
    String id =
        p.toLowerCase(java.util.Locale.ROOT)
            + ":"
            + (name != null ? name : "(unnamed)")
            + "@"
            + instance;
    return new ModelRef(p, name, instance, settings, id, ChatMetrics.model(p, name));
  }

  /**
   * What a cache key holds to say which model answers: the provider and the model's identity (the
   * model name is in the key with the other parameters). The identity is the endpoint where it can
   * be read from a LangChain4j model (its base URL), else the wrapped instance: LangChain4j's
   * {@code ChatModel} does not expose its endpoint, and two models of the same provider and name
   * may be different models (a local fine-tune and the hosted one), so models whose endpoint is not
   * known share answers only among decorators of one and the same instance. Then the digest of the
   * settings the model was built with that change its answers without being request parameters
   * ({@code strictTools}, {@code returnThinking}, ... see {@link ModelSettings}), so two models of
   * one endpoint built differently never share answers either. The circuit breaker ({@link #id})
   * leaves the settings out: they do not make an endpoint fail.
   */
  public String cacheIdentity() {
    return provider + "@" + instance + (settings.isEmpty() ? "" : "+" + settings);
  }
}
