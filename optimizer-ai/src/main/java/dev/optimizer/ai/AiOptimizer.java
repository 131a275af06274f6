package dev.optimizer.ai;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.optimizer.ai.chat.ChatAccounting;
import dev.optimizer.ai.chat.OptimizedChatModel;
import dev.optimizer.ai.chat.internal.ChatCore;
import dev.optimizer.ai.chat.internal.ChatSettings;
import dev.optimizer.ai.chat.internal.OptimizedChat;
import dev.optimizer.ai.chat.internal.OptimizedStreamingChat;
import dev.optimizer.ai.chat.internal.cache.CachedAnswer;
import dev.optimizer.ai.chat.internal.cache.DefaultEmbeddings;
import dev.optimizer.ai.chat.internal.cache.ExactTier;
import dev.optimizer.ai.chat.internal.cache.KeyMaker;
import dev.optimizer.ai.chat.internal.cache.SemanticTier;
import dev.optimizer.ai.chat.internal.resilience.Resilience;
import dev.optimizer.ai.chat.internal.telemetry.ChatMetrics;
import dev.optimizer.ai.inference.internal.BatcherKnobs;
import dev.optimizer.ai.inference.langchain4j.BatchingEmbeddingModel;
import dev.optimizer.ai.inference.langchain4j.CachingEmbeddingModel;
import dev.optimizer.ai.semantic.SemanticCache;
import dev.optimizer.ai.semantic.SemanticCacheBuilder;
import dev.optimizer.api.Recommendation;
import dev.optimizer.api.internal.Checks;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.internal.ClosedOptimizer;
import dev.optimizer.runtime.retry.RetryBudget;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The entry point of optimizer-ai for LangChain4j models: decorators that make chat and embedding
 * calls cheaper and faster without changing what the application sees.
 *
 * <pre>{@code
 * AiOptimizer ai = AiOptimizer.builder(optimizer)
 *     .price("gpt-4o-mini", new ModelPrice(0.15, 0.60))
 *     .price("gpt-4o", new ModelPrice(2.50, 10.00))
 *     .build();
 * ChatModel chat = ai.route(miniModel, fullModel);        // or ai.wrap(model)
 * String answer = AiScope.call("tenant-42", () -> chat.chat("What is our refund policy?"));
 * }</pre>
 *
 * <p>A chat call goes through these steps, in order: routing (for a {@link #route} pair), the
 * per-scope budget, the response cache (exact match on the model's endpoint, the model name, every
 * output-changing parameter, every message and the scope; only for deterministic requests), then,
 * when {@code semanticCache} is set, the semantic tier (the last user turn matched by meaning among
 * earlier wordings with the same scope, model, parameters and system prompt, behind a precision
 * guard), coalescing of identical concurrent requests (cacheable ones only: callers of a sampled
 * request each expect their own sample), then the model itself with retries, a circuit breaker per
 * model (per wrapped instance and model name), fallbacks and a timeout. The wrapped models' own
 * {@code chat} is what gets called, so their {@code ChatModelListener}s fire for each upstream
 * attempt; a request answered from the cache or by joining another fires the chosen model's
 * listeners from the decorator, with the attribute {@code optimizer.ai.served_by}.
 *
 * <p><b>Which model a request goes to.</b> A request that names a model ({@code
 * ChatRequest.parameters().modelName()}) is that model, not the wrapped model's default: it is
 * cached, coalesced, priced, budgeted, broken-circuit and recorded ({@code gen_ai.request.model})
 * under the name it gives. Cached answers and circuit breakers also belong to the model's
 * <em>endpoint</em>: two models of the same provider and name on different endpoints (a local
 * fine-tune and the hosted model, say) never share them. LangChain4j's {@code ChatModel} does not
 * expose its endpoint; for LangChain4j's own models the base URL is read from their client (user
 * info and query are never printed), which is stable across restarts and shared by the blocking and
 * streaming models of one endpoint. A model whose endpoint cannot be read (an application's own
 * class, a proxy) is told apart by instance: decorators of one instance share its answers, two
 * instances do not.
 *
 * <p>Telemetry goes through the optimizer's OpenTelemetry (see {@code ChatMetrics}); prompts,
 * answers and scopes are never recorded. {@link #close()} (also called when the optimizer closes)
 * releases the caches and stops the threads. Thread-safe.
 */
public final class AiOptimizer implements AutoCloseable {
  private final Optimizer optimizer;
  private final AiOptimizerBuilder settings;
  private final ChatCore core;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Optimizer.Registration registration;
  // Choosing a free batcher name and taking it (registering its knobs) is one step.
  private static final Object EMBEDDING_NAMES = new Object();

  // What a closed optimizer's refusal names (ClosedOptimizer): an AiOptimizer has no name.
  private static final String COMPONENT = "AiOptimizer";

  AiOptimizer(AiOptimizerBuilder b) {
    this.optimizer = b.optimizer;
    this.settings = b;
    // Before anything is started: a closed optimizer would refuse the registration below only
    // after the threads, the metric callbacks and (for the default semantic tier) an in-process
    // embedding model had been created, and nothing would ever close them.
    ClosedOptimizer.refuse(optimizer, COMPONENT);
    ChatSettings s = b.settings();
    ChatMetrics metrics = new ChatMetrics(optimizer.meter());
    RetryBudget budget =
        new RetryBudget(s.retryBudgetRatio(), s.retryBudgetReserve(), optimizer.ticker());
    this.core =
        new ChatCore(
            s,
            metrics,
            executor ->
                new Resilience(
                    s, budget, metrics, optimizer.clock(), optimizer.ticker(), executor));
    try {
      core.addTier(new ExactTier(s.cacheMaximumBytes(), s.cacheTtl(), optimizer.ticker()));
      if (b.semanticCache != null || b.semanticDefault) {
        core.addTier(semanticTier(b, s));
      }
      this.registration = register();
    } catch (RuntimeException | Error e) {
      // Nobody will hold this half-built AiOptimizer to close it: release what it started.
      try {
        core.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** The optimizer's hold on this; refused, as the check above, if it closed since. */
  private Optimizer.Registration register() {
    try {
      return optimizer.onClose(this);
    } catch (IllegalStateException closedSince) {
      throw ClosedOptimizer.refused(COMPONENT, closedSince);
    }
  }

  private SemanticTier semanticTier(AiOptimizerBuilder b, ChatSettings s) {
    SemanticCacheBuilder settings = b.semanticCache;
    BatchingEmbeddingModel owned = null;
    if (settings == null) {
      owned =
          BatchingEmbeddingModel.builder(optimizer, DefaultEmbeddings.load())
              .name("semantic-cache-embeddings")
              .build();
      settings = SemanticCache.builder(owned).ttl(s.cacheTtl()).ticker(optimizer.ticker());
    }
    return new SemanticTier(
        settings.<CachedAnswer>build(),
        new KeyMaker(s.maxPromptBytes()),
        b.semanticLastTurn,
        owned,
        optimizer.meter());
  }

  /** An AiOptimizer with default settings. */
  public static AiOptimizer create(Optimizer optimizer) {
    return builder(optimizer).build();
  }

  /** Starts the settings of an AiOptimizer. */
  public static AiOptimizerBuilder builder(Optimizer optimizer) {
    return new AiOptimizerBuilder(optimizer);
  }

  /** Decorates a chat model. */
  public OptimizedChatModel wrap(ChatModel model) {
    return wrap(model, List.of());
  }

  /**
   * Decorates a chat model that falls back to {@code fallbacks}, in order, when it fails.
   *
   * <p>Build {@code model} (and every fallback) with its own retries off, {@code maxRetries(0)} on
   * LangChain4j's clients ({@code OpenAiChatModel} retries twice by default): they would stack with
   * this decorator's, multiplying the requests sent during an outage outside the retry budget and
   * the circuit breaker.
   */
  public OptimizedChatModel wrap(ChatModel model, List<? extends ChatModel> fallbacks) {
    checkOpen();
    Checks.notNull("model", model);
    Checks.notNull("fallbacks", fallbacks);
    return new OptimizedChat(core, model, null, List.copyOf(fallbacks));
  }

  /**
   * Decorates a routed pair: the router sends each request to {@code cheap} or {@code strong} (the
   * other serving as its fallback, then {@code fallbacks}); accounting compares the cost with
   * sending everything to {@code strong}. Requests should not name a model themselves: a request's
   * model name overrides the chosen model's.
   *
   * <p>Build {@code model} (and every fallback) with its own retries off, {@code maxRetries(0)} on
   * LangChain4j's clients ({@code OpenAiChatModel} retries twice by default): they would stack with
   * this decorator's, multiplying the requests sent during an outage outside the retry budget and
   * the circuit breaker.
   */
  public OptimizedChatModel route(
      ChatModel cheap, ChatModel strong, List<? extends ChatModel> fallbacks) {
    checkOpen();
    Checks.notNull("cheap", cheap);
    Checks.notNull("strong", strong);
    Checks.notNull("fallbacks", fallbacks);
    return new OptimizedChat(core, strong, cheap, List.copyOf(fallbacks));
  }

  /** Like {@link #route(ChatModel, ChatModel, List)} without further fallbacks. */
  public OptimizedChatModel route(ChatModel cheap, ChatModel strong) {
    return route(cheap, strong, List.of());
  }

  /**
   * Whether {@code model} is already one of optimizer's decorators (a chat, streaming chat or
   * embedding model from an AiOptimizer, or a {@link BatchingEmbeddingModel} / {@link
   * CachingEmbeddingModel}), so that a framework integration does not wrap it twice.
   */
  public static boolean isWrapped(Object model) {
    return model instanceof OptimizedChatModel
        || model instanceof OptimizedStreamingChat
        || model instanceof CachingEmbeddingModel
        || model instanceof BatchingEmbeddingModel;
  }

  /** Decorates a streaming chat model. */
  public StreamingChatModel wrap(StreamingChatModel model) {
    return wrap(model, List.of());
  }

  /**
   * Decorates a streaming chat model that falls back to {@code fallbacks} when it fails before its
   * first token.
   *
   * <p>Build {@code model} (and every fallback) with its own retries off, {@code maxRetries(0)} on
   * LangChain4j's clients ({@code OpenAiChatModel} retries twice by default): they would stack with
   * this decorator's, multiplying the requests sent during an outage outside the retry budget and
   * the circuit breaker.
   */
  public StreamingChatModel wrap(
      StreamingChatModel model, List<? extends StreamingChatModel> fallbacks) {
    checkOpen();
    Checks.notNull("model", model);
    Checks.notNull("fallbacks", fallbacks);
    return new OptimizedStreamingChat(
        core, model, null, List.copyOf(fallbacks), optimizer.ticker());
  }

  /**
   * Decorates a routed pair of streaming models, as {@link #route(ChatModel, ChatModel, List)} does
   * for blocking ones.
   *
   * <p>Build {@code model} (and every fallback) with its own retries off, {@code maxRetries(0)} on
   * LangChain4j's clients ({@code OpenAiChatModel} retries twice by default): they would stack with
   * this decorator's, multiplying the requests sent during an outage outside the retry budget and
   * the circuit breaker.
   */
  public StreamingChatModel route(
      StreamingChatModel cheap,
      StreamingChatModel strong,
      List<? extends StreamingChatModel> fallbacks) {
    checkOpen();
    Checks.notNull("cheap", cheap);
    Checks.notNull("strong", strong);
    Checks.notNull("fallbacks", fallbacks);
    return new OptimizedStreamingChat(
        core, strong, cheap, List.copyOf(fallbacks), optimizer.ticker());
  }

  /**
   * Decorates an embedding model: concurrent single calls are batched ({@link
   * BatchingEmbeddingModel}, real tensor batches for LangChain4j's in-process models) and
   * embeddings are cached by text ({@link CachingEmbeddingModel}, bounded by {@code
   * embeddingCacheBytes}). Both close with the optimizer, or earlier when the model returned (a
   * {@link CachingEmbeddingModel}, {@link AutoCloseable}) is closed. Each wrap's knobs are named
   * after the first free name of {@code embeddings}, {@code embeddings-2}, {@code embeddings-3}...
   * on this optimizer ({@code optimizer.ai.embeddings.*} for the first), whichever AiOptimizer or
   * application code took the others; its cache is reported under the same name ({@code
   * optimizer.cache.name = ai.embeddings-2}, say).
   */
  public EmbeddingModel wrap(EmbeddingModel model) {
    checkOpen();
    Checks.notNull("model", model);
    // Each wrap tunes knobs of its own, and knob names are unique per optimizer.
    BatchingEmbeddingModel batching;
    synchronized (EMBEDDING_NAMES) {
      batching =
          BatchingEmbeddingModel.builder(optimizer, model).name(freeEmbeddingsName()).build();
    }
    try {
      return CachingEmbeddingModel.wrapOwning(optimizer, batching, settings.embeddingCacheBytes);
    } catch (RuntimeException e) {
      batching.close();
      throw e;
    }
  }

  private String freeEmbeddingsName() {
    for (int n = 1; ; n++) {
      String name = n == 1 ? "embeddings" : "embeddings-" + n;
      if (optimizer.knob(BatcherKnobs.maxBatchSize(name)).isEmpty()
          && optimizer.knob(BatcherKnobs.maxDelayMicros(name)).isEmpty()
          && optimizer.knob(BatcherKnobs.intraOpThreads(name)).isEmpty()) {
        return name;
      }
    }
  }

  /** Tokens and dollars spent and saved so far. */
  public ChatAccounting accounting() {
    return core.ledger().snapshot();
  }

  /**
   * Adds the accounting to the optimizer's report, as a recommendation of kind {@code llm-cost}
   * with the numbers as evidence: cost, cost had every request gone to the strong model, cost
   * saved, cache hits, tokens saved by the cache, and usage per model. Scopes are left out (they
   * may name tenants). Called on {@link #close()} too.
   */
  public void publishToReport() {
    ChatAccounting a = accounting();
    Recommendation.Builder r =
        Recommendation.builder("llm-cost", "chat")
            .summary(
                String.format(
                    Locale.ROOT,
                    "LLM calls cost $%.4f against $%.4f had every request gone to the strong model"
                        + " ($%.4f saved); %d cache hits saved %d tokens",
                    a.costUsd(),
                    a.alwaysStrongCostUsd(),
                    a.costSavedUsd(),
                    a.cacheHits(),
                    a.tokensSavedByCache()))
            .evidence("cost_usd", fmt(a.costUsd()))
            .evidence("always_strong_cost_usd", fmt(a.alwaysStrongCostUsd()))
            .evidence("cost_saved_usd", fmt(a.costSavedUsd()))
            .evidence("cache_hits", Long.toString(a.cacheHits()))
            .evidence("tokens_saved_by_cache", Long.toString(a.tokensSavedByCache()))
            .time(optimizer.clock().instant());
    for (Map.Entry<String, ChatAccounting.Usage> e :
        new java.util.TreeMap<>(a.perModel()).entrySet()) {
      ChatAccounting.Usage u = e.getValue();
      r.evidence(
          "model." + e.getKey(),
          u.calls()
              + " calls, "
              + u.inputTokens()
              + " in, "
              + u.outputTokens()
              + " out, $"
              + fmt(u.costUsd()));
    }
    if (a.alwaysStrongCostUsd() > 0) {
      r.estimatedGain(Math.min(1, a.costSavedUsd() / a.alwaysStrongCostUsd()));
    }
    optimizer.recommend(r.build());
  }

  private static String fmt(double usd) {
    return String.format(Locale.ROOT, "%.6f", usd);
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("this AiOptimizer is closed");
    }
  }

  /**
   * Publishes the accounting to the report (when anything was called), then releases the caches and
   * stops the threads; decorators fail after this. Closed before the optimizer, it is no longer
   * held by the optimizer. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    registration.release(); // closed before the optimizer: it no longer holds this
    try {
      ChatAccounting a = accounting();
      if (!a.perModel().isEmpty() || a.cacheHits() > 0) {
        publishToReport();
      }
    } finally {
      core.close();
    }
  }
}
