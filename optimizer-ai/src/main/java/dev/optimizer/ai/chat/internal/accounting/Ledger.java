package dev.optimizer.ai.chat.internal.accounting;

import dev.optimizer.ai.chat.ChatAccounting;
import dev.optimizer.ai.chat.ChatAccounting.Usage;
import dev.optimizer.ai.chat.ModelPrice;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tokens and dollars per model and per scope, and what the cache and routing saved. Thread-safe.
 *
 * <p>Scopes may be as many as an application's users, so at most {@link #MAX_SCOPES} are kept, the
 * least recently charged folded into {@link #OTHER_SCOPES} beyond that: totals stay exact, and a
 * scope folded away starts its budget again from zero.
 */
public final class Ledger {
  /** The most scopes tracked one by one. */
  public static final int MAX_SCOPES = 100_000;

  /** The report's name for the usage of scopes folded away. */
  public static final String OTHER_SCOPES = "(other scopes)";

  private final Map<String, Usage> perModel = new HashMap<>(); // guarded by this
  private final int maxScopes;
  private Usage otherScopes; // guarded by this
  private final Map<String, Usage> perScope = // guarded by this
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Usage> eldest) {
          if (size() <= maxScopes) {
            return false;
          }
          otherScopes = Ledger.merge(otherScopes, eldest.getValue());
          return true;
        }
      };

  /** A ledger that tracks up to {@link #MAX_SCOPES} scopes one by one. */
  public Ledger() {
    this(MAX_SCOPES);
  }

  /** A ledger that tracks up to {@code maxScopes} scopes one by one. */
  public Ledger(int maxScopes) {
    this.maxScopes = maxScopes;
  }

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

  private static Usage merge(Usage a, Usage b) {
    return a == null
        ? b
        : new Usage(
            a.calls() + b.calls(),
            a.inputTokens() + b.inputTokens(),
            a.outputTokens() + b.outputTokens(),
            a.costUsd() + b.costUsd());
  }

  /** Dollars spent so far by {@code scope}. */
  public synchronized double scopeCost(String scope) {
    Usage u = perScope.get(scope);
    return u == null ? 0 : u.costUsd();
  }

  /** A snapshot. */
  public synchronized ChatAccounting snapshot() {
    Map<String, Usage> scopes = perScope;
    if (otherScopes != null) {
      scopes = new HashMap<>(perScope);
      scopes.merge(OTHER_SCOPES, otherScopes, Ledger::merge);
    }
    return new ChatAccounting(perModel, scopes, cacheHits, tokensSaved, cost, alwaysStrong);
  }
}
