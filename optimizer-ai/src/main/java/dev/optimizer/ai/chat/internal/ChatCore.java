package dev.optimizer.ai.chat.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.optimizer.ai.AiScope;
import dev.optimizer.ai.chat.BudgetAction;
import dev.optimizer.ai.chat.BudgetExceededException;
import dev.optimizer.ai.chat.internal.accounting.Ledger;
import dev.optimizer.ai.chat.internal.cache.CachedAnswer;
import dev.optimizer.ai.chat.internal.cache.ChatCacheTier;
import dev.optimizer.ai.chat.internal.cache.ChatKey;
import dev.optimizer.ai.chat.internal.cache.KeyMaker;
import dev.optimizer.ai.chat.internal.coalesce.StreamFlights;
import dev.optimizer.ai.chat.internal.resilience.Resilience;
import dev.optimizer.ai.chat.internal.telemetry.ChatMetrics;
import dev.optimizer.runtime.coalesce.Coalescer;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every chat decorator of one {@code AiOptimizer} shares: settings, cache tiers, the
 * coalescers, resilience, the ledger, telemetry, and the named daemon threads that run upstream
 * calls. {@link #close()} releases all of it. Thread-safe.
 */
public final class ChatCore implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ChatCore.class.getName());
  private final ChatSettings settings;
  private final List<ChatCacheTier> tiers = new CopyOnWriteArrayList<>();
  private final KeyMaker keys;
  private final Coalescer<ChatKey, ChatResponse> coalescer = Coalescer.create();
  private final StreamFlights flights = new StreamFlights();
  private final Resilience resilience;
  private final Ledger ledger = new Ledger();
  private final ChatMetrics metrics;
  private final ExecutorService executor;
  private final ScheduledExecutorService timer;
  private volatile boolean closed;
  // Identities of the wrapped model instances, compared by identity and held weakly: a model the
  // application drops takes its entry with it.
  private final Cache<Object, String> instances = Caffeine.newBuilder().weakKeys().build();
  private final AtomicLong instanceCount = new AtomicLong();
  // The settings digest of each wrapped model instance, held as weakly as its identity.
  private final Cache<Object, String> modelSettings = Caffeine.newBuilder().weakKeys().build();

  /** A core; the caller adds the cache tiers. */
  public ChatCore(
      ChatSettings settings,
      ChatMetrics metrics,
      java.util.function.Function<ExecutorService, Resilience> resilience) {
    this.settings = settings;
    this.metrics = metrics;
    this.keys = new KeyMaker(settings.maxPromptBytes());
    AtomicInteger n = new AtomicInteger();
    this.executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "optimizer-ai-chat-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "optimizer-ai-chat-timer");
              t.setDaemon(true);
              return t;
            });
    this.resilience = resilience.apply(executor);
  }

  /** Adds a lookup tier after those already present (the exact tier comes first). */
  public void addTier(ChatCacheTier tier) {
    tiers.add(tier);
  }

  /** The lookup tiers in order. */
  public List<ChatCacheTier> tiers() {
    return tiers;
  }

  public ChatSettings settings() {
    return settings;
  }

  public Coalescer<ChatKey, ChatResponse> coalescer() {
    return coalescer;
  }

  public StreamFlights flights() {
    return flights;
  }

  public Resilience resilience() {
    return resilience;
  }

  public Ledger ledger() {
    return ledger;
  }

  public ChatMetrics metrics() {
    return metrics;
  }

  public ExecutorService executor() {
    return executor;
  }

  /** The thread that fires stream timeouts. */
  public ScheduledExecutorService timer() {
    return timer;
  }

  /**
   * The identity of a wrapped model, the same for every decorator of this core that wraps it: the
   * endpoint it calls where that can be read ({@code https://api.openai.com/v1}, see {@link
   * Endpoints}), so that a blocking and a streaming model of one endpoint share answers and a
   * breaker, and the identity is stable across restarts; else the instance, by its class's simple
   * name and a number ({@code MyChatModel#2}). Instances are told apart by identity, not {@code
   * equals}.
   */
  public String instance(Object model) {
    return instances.get(
        model,
        m ->
            Endpoints.of(m)
                .orElseGet(
                    () -> {
                      String simple = m.getClass().getSimpleName();
                      // An anonymous or local class has an empty simple name.
                      return (simple.isEmpty() ? m.getClass().getName() : simple)
                          + "#"
                          + instanceCount.incrementAndGet();
                    }));
  }

  /**
   * The digest of the settings {@code model} was built with that change its answers without being
   * request parameters ({@link ModelSettings}), "" when it has none; computed once per instance (a
   * model's settings are fixed when it is built). A model whose settings cannot be read gets one of
   * its own, so that it shares answers only with itself.
   */
  public String modelSettings(Object model) {
    return modelSettings.get(
        model,
        m -> {
          String s = ModelSettings.of(m);
          return s != null ? s : "unreadable#" + instanceCount.incrementAndGet();
        });
  }

  /** Fails a call made after {@link #close()} with a clear error. */
  public void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the AiOptimizer of this model is closed");
    }
  }

  /** The scope of a request: the resolver's, else {@link AiScope}'s, else the default. */
  public String scope(ChatRequest request) {
    if (settings.scopeResolver() != null) {
      String s = settings.scopeResolver().apply(request);
      if (s == null || s.isBlank()) {
        throw new IllegalStateException(
            "scopeResolver returned a blank scope ('"
                + s
                + "'); it must name one for every request");
      }
      return s;
    }
    return AiScope.current().orElse(AiScope.DEFAULT);
  }

  /**
   * The cache key of an effective request, or why it has none: the cache is off, the request is not
   * deterministic enough (temperature above the maximum, or absent and not allowed), or the key
   * maker refused it (empty, non-text content, too large).
   */
  public KeyMaker.Result key(String scope, String provider, ChatRequest effective) {
    if (!settings.cacheEnabled()) {
      return new KeyMaker.Result(null, "cache-off", "the cache is off (setting cache = false)");
    }
    Double t = effective.parameters().temperature();
    if (t == null && !settings.cacheWithoutTemperature()) {
      return new KeyMaker.Result(
          null,
          "not-deterministic",
          "request must set a temperature (itself or through the model's defaults) while"
              + " cacheWithoutTemperature = false, but sets none");
    }
    if (t != null && t > settings.maxCacheableTemperature()) {
      return new KeyMaker.Result(
          null,
          "not-deterministic",
          "request temperature must be at most maxCacheableTemperature = "
              + settings.maxCacheableTemperature()
              + " (a setting in [0.0, 2.0]), but was "
              + t);
    }
    return keys.key(scope, provider, effective);
  }

  /**
   * The first tier's stored answer for the key, with the tier's name. A tier that fails (a semantic
   * tier's embedding model may be remote, or past its deadline) counts as a miss: the cache must
   * never turn a request the model would answer into a failing one.
   */
  public Optional<Hit> lookup(ChatKey key, ChatRequest effective) {
    for (ChatCacheTier tier : tiers) {
      Optional<CachedAnswer> a;
      try {
        a = tier.lookup(key, effective);
      } catch (RuntimeException e) {
        tierFailed(tier, "lookup", e);
        continue;
      }
      if (a.isPresent()) {
        return Optional.of(new Hit(tier.name(), a.get()));
      }
    }
    return Optional.empty();
  }

  /** A cache hit. */
  public record Hit(String tier, CachedAnswer answer) {}

  /**
   * Stores an answer in every tier, if the rules allow it; returns whether it was stored.
   *
   * @param parts the stream's text and reasoning in arrival order; null for a blocking answer
   */
  public boolean store(
      ChatKey key, ChatRequest effective, ChatResponse response, List<CachedAnswer.Part> parts) {
    if (!storable(response)) {
      return false;
    }
    ChatResponse lean = lean(response);
    CachedAnswer answer = parts == null ? CachedAnswer.whole(lean) : new CachedAnswer(lean, parts);
    boolean stored = false;
    for (ChatCacheTier tier : tiers) {
      // The answer is already paid for and on its way to the caller: a tier that cannot keep it
      // loses the entry, not the answer.
      try {
        tier.store(key, effective, answer);
        stored = true;
      } catch (RuntimeException e) {
        tierFailed(tier, "store", e);
      }
    }
    return stored;
  }

  /**
   * Logs a failed tier by its name and the exception's type; the exception itself (whose message
   * may quote the prompt) only at DEBUG.
   */
  private static void tierFailed(ChatCacheTier tier, String step, RuntimeException e) {
    LOG.log(
        System.Logger.Level.WARNING,
        "the {0} cache tier failed on {1} ({2}); the request goes on without it",
        tier.name(),
        step,
        e.getClass().getName());
    LOG.log(System.Logger.Level.DEBUG, "cache tier failure", e);
  }

  /**
   * Whether a model's answer may be cached: it has text, it finished normally ({@code STOP}: an
   * answer cut at the length limit, filtered, or a stream that ended without a finish reason is not
   * whole), and it does not ask to execute tools (whose results belong to one conversation).
   */
  public static boolean storable(ChatResponse r) {
    return correctable(r) && r.finishReason() == FinishReason.STOP;
  }

  /**
   * Whether an answer supplied by the application may replace a cached one: as {@link #storable},
   * except that a missing finish reason is accepted.
   */
  public static boolean correctable(ChatResponse r) {
    return r != null && notCorrectable(r) == null;
  }

  /**
   * Why {@code r} may not replace a cached answer, every rule it breaks with the value it has; null
   * when it may.
   */
  public static String notCorrectable(ChatResponse r) {
    List<String> wrong = new java.util.ArrayList<>();
    if (r.aiMessage() == null || r.aiMessage().text() == null) {
      wrong.add("its aiMessage must have text, but has none");
    }
    if (r.aiMessage() != null && r.aiMessage().hasToolExecutionRequests()) {
      wrong.add(
          "it must have no tool execution requests, but has "
              + r.aiMessage().toolExecutionRequests().size());
    }
    FinishReason f = r.finishReason();
    if (f != null && f != FinishReason.STOP) {
      wrong.add("its finishReason must be STOP or absent, but was " + f);
    }
    return wrong.isEmpty() ? null : "response cannot be cached: " + String.join("; ", wrong);
  }

  /**
   * The response as a cache keeps it: its message and its metadata, of the provider's own metadata
   * class ({@code OpenAiChatResponseMetadata}, say, which code written against the unwrapped model
   * casts to) with its fields ({@code created}, {@code systemFingerprint}, ...), but without what
   * the wire carried for this one call: the raw HTTP response, the raw server-sent events, the log
   * probabilities. A metadata class whose builder cannot drop those is kept as LangChain4j's common
   * metadata (id, model name, token usage, finish reason).
   */
  public static ChatResponse lean(ChatResponse r) {
    ChatResponseMetadata m = r.metadata();
    ChatResponseMetadata kept = m == null ? null : withoutWireFields(m);
    if (kept == null) {
      kept =
          ChatResponseMetadata.builder()
              .id(r.id())
              .modelName(r.modelName())
              .tokenUsage(r.tokenUsage())
              .finishReason(r.finishReason())
              .build();
    }
    return ChatResponse.builder().aiMessage(r.aiMessage()).metadata(kept).build();
  }

  // The builder setters of LangChain4j's provider metadata classes (OpenAI, Anthropic, ...) that
  // hold one call's wire payload: large, and no part of the answer.
  private static final Set<String> WIRE_FIELDS =
      Set.of("rawHttpResponse", "rawServerSentEvents", "logProbs");

  /**
   * {@code m} rebuilt through its own class's builder with the wire fields set to null; null when
   * it is the common class, or its builder does not rebuild its class or refuses a null.
   */
  private static ChatResponseMetadata withoutWireFields(ChatResponseMetadata m) {
    if (m.getClass() == ChatResponseMetadata.class) {
      return null;
    }
    try {
      ChatResponseMetadata.Builder<?> b = m.toBuilder();
      for (java.lang.reflect.Method setter : b.getClass().getMethods()) {
        if (setter.getParameterCount() == 1
            && !setter.getParameterTypes()[0].isPrimitive()
            && (WIRE_FIELDS.contains(setter.getName()) || setter.getName().startsWith("raw"))) {
          setter.invoke(b, (Object) null);
        }
      }
      ChatResponseMetadata kept = b.build();
      return kept.getClass() == m.getClass() ? kept : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  /**
   * The models a decorator tries for a request, in order: the chosen one, the other of a routed
   * pair ({@code cheap} null when not routed), then the fallbacks. A scope downgraded by its budget
   * does not fall back to the strong model it is over budget for.
   */
  public static <M> List<M> chain(
      M chosen, M primary, M cheap, List<? extends M> fallbacks, boolean downgraded) {
    List<M> chain = new java.util.ArrayList<>();
    chain.add(chosen);
    if (cheap != null && !downgraded) {
      chain.add(chosen == cheap ? primary : cheap);
    }
    chain.addAll(fallbacks);
    return chain;
  }

  /** A caller's own copy of a shared response. */
  public static ChatResponse copy(ChatResponse r) {
    return r.toBuilder().build();
  }

  /** Input and output tokens of a response, 0 when not reported. */
  public static long[] tokens(ChatResponse r) {
    TokenUsage u = r.tokenUsage();
    if (u == null) {
      return new long[] {0, 0};
    }
    return new long[] {
      u.inputTokenCount() == null ? 0 : u.inputTokenCount(),
      u.outputTokenCount() == null ? 0 : u.outputTokenCount()
    };
  }

  /** Where a scope stands against its budget. */
  public enum Budget {
    /** Under budget, or no budget set. */
    WITHIN,
    /** Spent: the request goes to the cheap model. */
    DOWNGRADE,
    /** Spent: the request is refused unless the cache answers it (a hit costs nothing). */
    REFUSE
  }

  /**
   * Where {@code scope} stands against the per-scope budget.
   *
   * @param canDowngrade whether a cheap model exists for this request
   */
  public Budget budget(String scope, boolean canDowngrade) {
    double limit = settings.budgetPerScopeUsd();
    if (limit <= 0 || ledger.scopeCost(scope) < limit) {
      return Budget.WITHIN;
    }
    if (settings.budgetAction() == BudgetAction.DOWNGRADE && canDowngrade) {
      metrics.budget("downgrade");
      return Budget.DOWNGRADE;
    }
    return Budget.REFUSE;
  }

  /** The refusal of a request whose scope has spent its budget (recorded as a metric). */
  public BudgetExceededException refusal(String scope) {
    metrics.budget("refuse");
    double limit = settings.budgetPerScopeUsd();
    double spent = ledger.scopeCost(scope);
    return new BudgetExceededException(
        String.format(
            java.util.Locale.ROOT,
            "budget of the request's scope is spent: $%.6f of $%.6f (setting budgetPerScope, action"
                + " %s%s)",
            spent,
            limit,
            settings.budgetAction(),
            settings.budgetAction() == BudgetAction.DOWNGRADE ? ", no cheap model to go to" : ""),
        spent,
        limit);
  }

  /** The effective request: the model's default parameters overridden by the request's. */
  public static ChatRequest effective(ChatRequestParameters defaults, ChatRequest request) {
    return ChatRequest.builder()
        .messages(request.messages())
        .parameters(defaults.overrideWith(request.parameters()))
        .build();
  }

  @Override
  public void close() {
    closed = true;
    // Streams first: their subscribers learn now, and a late completion finds its flight ended and
    // stores nothing into the tiers closed below.
    flights.close();
    RuntimeException failure = null;
    for (ChatCacheTier tier : tiers) {
      try {
        tier.close();
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    timer.shutdownNow();
    executor.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (failure != null) {
      throw failure;
    }
  }
}
