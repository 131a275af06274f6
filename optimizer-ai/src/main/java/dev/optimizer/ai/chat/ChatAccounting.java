package dev.optimizer.ai.chat;

import java.util.Map;

/**
 * A snapshot of the tokens and dollars spent and saved by the chat decorators since the {@code
 * AiOptimizer} was built. Dollars use the prices configured with {@code AiOptimizerBuilder#price};
 * a model without a price costs nothing here.
 *
 * @param perModel upstream usage by model name
 * @param perScope upstream usage by scope (tenant)
 * @param cacheHits requests answered from the cache
 * @param tokensSavedByCache input plus output tokens the cache hits would have cost
 * @param costUsd dollars actually spent upstream
 * @param alwaysStrongCostUsd dollars the same requests (cache hits included) would have cost had
 *     each gone to the strong model of its routed pair (to its own model when not routed)
 */
public record ChatAccounting(
    Map<String, Usage> perModel,
    Map<String, Usage> perScope,
    long cacheHits,
    long tokensSavedByCache,
    double costUsd,
    double alwaysStrongCostUsd) {

  /** Copies the maps. */
  public ChatAccounting {
    perModel = Map.copyOf(perModel);
    perScope = Map.copyOf(perScope);
  }

  /** Dollars saved against always calling the strong model, cache hits included. */
  public double costSavedUsd() {
    return Math.max(0, alwaysStrongCostUsd - costUsd);
  }

  /**
   * Usage of one model or scope.
   *
   * @param calls upstream calls that returned an answer
   * @param inputTokens input tokens reported by the provider
   * @param outputTokens output tokens reported by the provider
   * @param costUsd dollars, at the configured prices
   */
  public record Usage(long calls, long inputTokens, long outputTokens, double costUsd) {
    Usage plus(long input, long output, double cost) {
      return new Usage(calls + 1, inputTokens + input, outputTokens + output, costUsd + cost);
    }
  }

  /** Adds one call to a usage (for the ledger). */
  public static Usage add(Usage usage, long input, long output, double cost) {
    return (usage == null ? new Usage(0, 0, 0, 0) : usage).plus(input, output, cost);
  }
}
