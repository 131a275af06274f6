package dev.optimizer.ai.chat.internal.accounting;

import dev.optimizer.ai.chat.ChatAccounting;
import dev.optimizer.ai.chat.ChatAccounting.Usage;
import dev.optimizer.ai.chat.ModelPrice;
import java.util.HashMap;
import java.util.Map;

/**
 * Tokens and dollars per model and per scope, and what the cache and routing saved. Thread-safe.
 */
public final class Ledger {
  private final Map<String, Usage> perModel = new HashMap<>(); // guarded by this
  private final Map<String, Usage> perScope = new HashMap<>(); // guarded by this
  private long cacheHits; // guarded by this
  private long tokensSaved; // guarded by this
  private double cost; // guarded by this
  private double alwaysStrong; // guarded by this

  /**
   * Records one upstream answer.
   *
   * @param price the price of the model that answered
   * @param strong the price of the strong model it stands in for (the same when not routed)
   * @return the dollars saved against the strong model
   */
  public synchronized double call(
      String model, String scope, long input, long output, ModelPrice price, ModelPrice strong) {
    double c = price.cost(input, output);
    double s = strong.cost(input, output);
    perModel.compute(
        model == null ? "unknown" : model, (k, u) -> ChatAccounting.add(u, input, output, c));
    perScope.compute(scope, (k, u) -> ChatAccounting.add(u, input, output, c));
    cost += c;
    alwaysStrong += s;
    return s - c;
  }

  /**
   * Records a cache hit whose stored usage was {@code input}/{@code output}.
   *
   * @return the dollars saved against the strong model
   */
  public synchronized double hit(long input, long output, ModelPrice strong) {
    cacheHits++;
    tokensSaved += input + output;
    double s = strong.cost(input, output);
    alwaysStrong += s;
    return s;
  }

  /** Dollars spent so far by {@code scope}. */
  public synchronized double scopeCost(String scope) {
    Usage u = perScope.get(scope);
    return u == null ? 0 : u.costUsd();
  }

  /** A snapshot. */
  public synchronized ChatAccounting snapshot() {
    return new ChatAccounting(perModel, perScope, cacheHits, tokensSaved, cost, alwaysStrong);
  }
}
