package dev.optimizer.ai.chat.internal;

import dev.langchain4j.model.chat.request.ChatRequest;
import dev.optimizer.ai.chat.BudgetAction;
import dev.optimizer.ai.chat.ModelPrice;
import dev.optimizer.ai.chat.ModelRouter;
import dev.optimizer.ai.chat.Sleeper;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * The checked, immutable settings of the chat decorators (see {@code AiOptimizerBuilder} for each
 * setting's default and range).
 */
public record ChatSettings(
    boolean cacheEnabled,
    long cacheMaximumBytes,
    Duration cacheTtl,
    double maxCacheableTemperature,
    boolean cacheWithoutTemperature,
    long maxPromptBytes,
    Function<ChatRequest, String> scopeResolver,
    boolean coalescing,
    int maxAttempts,
    Duration retryBaseDelay,
    Duration retryMaxDelay,
    double retryBudgetRatio,
    int retryBudgetReserve,
    Duration callTimeout,
    float breakerFailureRate,
    int breakerMinimumCalls,
    Duration breakerOpenDuration,
    ModelRouter router,
    Map<String, ModelPrice> prices,
    double budgetPerScopeUsd,
    BudgetAction budgetAction,
    Sleeper sleeper,
    Random random) {

  /** The price of {@code model}, free when none was configured. */
  public ModelPrice price(String model) {
    return model == null ? ModelPrice.FREE : prices.getOrDefault(model, ModelPrice.FREE);
  }

  /**
   * The price of the first name that has one: providers answer with a dated name ({@code
   * gpt-4o-mini-2024-07-18}) where the configuration may say {@code gpt-4o-mini}, and a request may
   * name another model than the wrapped model's default; free when none has a price.
   */
  public ModelPrice price(String answered, String requested, String fallback) {
    for (String name : new String[] {answered, requested, fallback}) {
      if (name != null && prices.containsKey(name)) {
        return prices.get(name);
      }
    }
    return ModelPrice.FREE;
  }
}
