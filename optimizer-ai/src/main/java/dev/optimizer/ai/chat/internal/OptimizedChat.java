package dev.optimizer.ai.chat.internal;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.optimizer.ai.chat.ModelPrice;
import dev.optimizer.ai.chat.ModelRouter;
import dev.optimizer.ai.chat.ModelTier;
import dev.optimizer.ai.chat.OptimizedChatModel;
import dev.optimizer.ai.chat.internal.cache.ChatKey;
import dev.optimizer.ai.chat.internal.cache.KeyMaker;
import dev.optimizer.ai.chat.internal.resilience.Resilience;
import dev.optimizer.api.internal.Checks;
import io.opentelemetry.context.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The blocking chat decorator: route, budget, exact (then further) cache tiers, coalescing, then
 * the upstream call with retries, breakers and fallbacks. The models' own {@code chat} is what is
 * called upstream, so their listeners fire for every upstream attempt; requests answered without an
 * upstream call (cache hits, coalesced joiners) fire the chosen model's listeners from here.
 * Thread-safe.
 */
public final class OptimizedChat implements OptimizedChatModel {
  private final ChatCore core;
  private final ChatModel primary;
  private final ChatModel cheap; // null when not routed
  private final List<ChatModel> fallbacks;

  /**
   * A decorator.
   *
   * @param primary the model (the strong one of a routed pair)
   * @param cheap the cheap model of a routed pair, or null
   * @param fallbacks models to try, in order, when the chosen one fails
   */
  public OptimizedChat(
      ChatCore core, ChatModel primary, ChatModel cheap, List<ChatModel> fallbacks) {
    this.core = core;
    this.primary = primary;
    this.cheap = cheap;
    this.fallbacks = List.copyOf(fallbacks);
  }

  @Override
  public ChatResponse chat(ChatRequest request, ChatRequestOptions options) {
    Checks.notNull("chatRequest", request);
    core.checkOpen();
    ChatRequestOptions opts = options == null ? ChatRequestOptions.EMPTY : options;
    String scope = core.scope(request);
    ChatModel chosen = primary;
    if (cheap != null) {
      ModelRouter.Route route = core.settings().router().route(request);
      core.metrics().routed(route.tier().name().toLowerCase(java.util.Locale.ROOT), route.reason());
      chosen = route.tier() == ModelTier.CHEAP ? cheap : primary;
    }
    ChatCore.Budget budget = core.budget(scope, cheap != null);
    if (budget == ChatCore.Budget.DOWNGRADE) {
      chosen = cheap;
    }
    List<ChatModel> chain =
        ChatCore.chain(chosen, primary, cheap, fallbacks, budget == ChatCore.Budget.DOWNGRADE);
    ChatRequest effective = ChatCore.effective(chosen.defaultRequestParameters(), request);
    ModelRef ref = ref(chosen, effective);
    KeyMaker.Result k = core.key(scope, ref.cacheIdentity(), effective);
    ChatKey key = k.key();
    if (key == null) {
      if (budget == ChatCore.Budget.REFUSE) {
        throw core.refusal(scope);
      }
      return upstream(chain, request, opts, scope, null, effective);
    }
    Optional<ChatCore.Hit> hit = core.lookup(key, effective);
    if (hit.isPresent()) {
      return serveHit(chosen, ref, request, effective, opts, hit.get());
    }
    if (budget == ChatCore.Budget.REFUSE) {
      throw core.refusal(scope);
    }
    core.metrics().miss(ref.attributes());
    if (!core.settings().coalescing()) {
      return upstream(chain, request, opts, scope, key, effective);
    }
    AtomicBoolean led = new AtomicBoolean();
    CompletableFuture<ChatResponse> mine =
        core.coalescer()
            .execute(
                key,
                () -> {
                  led.set(true);
                  // In the leader's OpenTelemetry context: the model's spans join its trace.
                  return CompletableFuture.supplyAsync(
                      Context.current()
                          .wrapSupplier(
                              () -> upstream(chain, request, opts, scope, key, effective)),
                      core.executor());
                });
    if (led.get()) {
      return ChatCore.copy(await(mine));
    }
    core.metrics().coalesced(ref.attributes(), "blocking");
    Listeners l =
        Listeners.onRequest(
            chosen.listeners(),
            chosen.provider(),
            effective,
            opts.listenerAttributes(),
            "coalesced");
    try {
      ChatResponse r = ChatCore.copy(await(mine));
      l.onResponse(r);
      return r;
    } catch (RuntimeException e) {
      l.onError(e);
      throw e;
    }
  }

  private ChatResponse serveHit(
      ChatModel chosen,
      ModelRef ref,
      ChatRequest request,
      ChatRequest effective,
      ChatRequestOptions opts,
      ChatCore.Hit hit) {
    ChatResponse r = ChatCore.copy(hit.answer().response());
    long[] t = ChatCore.tokens(r);
    double saved = core.ledger().hit(t[0], t[1], strongPrice(request));
    core.metrics().hit(hit.tier(), ref.attributes(), t[0] + t[1]);
    core.metrics().costSaved(saved, "cache");
    Listeners.onRequest(
            chosen.listeners(),
            chosen.provider(),
            effective,
            opts.listenerAttributes(),
            "cache:" + hit.tier())
        .onResponse(r);
    return r;
  }

  /**
   * Calls the chain's models (with resilience), accounts for the answer, and stores it when
   * allowed.
   */
  private ChatResponse upstream(
      List<ChatModel> chain,
      ChatRequest request,
      ChatRequestOptions opts,
      String scope,
      ChatKey key,
      ChatRequest effective) {
    List<Resilience.Candidate> candidates = new ArrayList<>();
    for (ChatModel m : chain) {
      ModelRef r = ref(m, request);
      candidates.add(new Resilience.Candidate(r.id(), r.attributes(), () -> m.chat(request, opts)));
    }
    Resilience.Answer answer;
    try {
      answer = core.resilience().call(candidates);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new dev.langchain4j.exception.LangChain4jException(
          "interrupted while calling the model", e);
    }
    ChatResponse r = answer.response();
    // The model the request asked the answering model for: its own name overrides the default.
    String requested = ref(chain.get(answer.index()), request).name();
    long[] t = ChatCore.tokens(r);
    String name = r.modelName() != null ? r.modelName() : requested;
    ModelPrice paid = core.settings().price(r.modelName(), requested, null);
    ModelPrice strong = cheap == null && answer.index() == 0 ? paid : strongPrice(request);
    double saved = core.ledger().call(name, scope, t[0], t[1], paid, strong);
    core.metrics().costSaved(saved, "routing");
    if (key != null && answer.index() == 0) {
      // Only the chosen model's answers are stored under its key: a fallback's answer is a
      // different model's and would be served later as if it were the chosen one's.
      core.store(key, effective, r, null);
    }
    return r;
  }

  private static ChatResponse await(CompletableFuture<ChatResponse> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      // Only this caller gives up: the shared call and the other callers go on.
      f.cancel(false);
      Thread.currentThread().interrupt();
      throw new dev.langchain4j.exception.LangChain4jException(
          "interrupted while waiting for the model", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException re) {
        throw re;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new dev.langchain4j.exception.LangChain4jException(c);
    }
  }

  /** The price of the strong model (the primary) for this request. */
  private ModelPrice strongPrice(ChatRequest request) {
    return core.settings().price(null, ref(primary, request).name(), null);
  }

  /**
   * Model {@code m} as {@code request} addresses it: the request's model name over the model's
   * default. Without a request, the model as configured.
   */
  private ModelRef ref(ChatModel m, ChatRequest request) {
    ChatRequestParameters defaults = m.defaultRequestParameters();
    return ModelRef.of(
        m.provider(),
        request == null ? defaults : defaults.overrideWith(request.parameters()),
        core.instance(m),
        core.modelSettings(m));
  }

  // ---- cache administration

  @Override
  public boolean evict(ChatRequest request) {
    // Checked before the scope resolver, which would fail on it with a message of its own.
    Checks.notNull("request", request);
    return evict(core.scope(request), request);
  }

  @Override
  public boolean evict(String scope, ChatRequest request) {
    Checks.notBlank("scope", scope);
    Checks.notNull("request", request);
    boolean any = false;
    for (ChatModel m : routedModels()) {
      ChatRequest effective = ChatCore.effective(m.defaultRequestParameters(), request);
      ChatKey key = core.key(scope, ref(m, effective).cacheIdentity(), effective).key();
      if (key != null) {
        for (var tier : core.tiers()) {
          any |= tier.evict(key, effective);
        }
      }
    }
    return any;
  }

  @Override
  public void correct(ChatRequest request, ChatResponse response) {
    Checks.notNull("request", request);
    Checks.notNull("response", response);
    correct(core.scope(request), request, response);
  }

  /**
   * Replaces the answer of every routed model whose answers to this request are cached. A model for
   * which the request is not cacheable (its defaults make it so) never serves a cached answer to
   * it, so there is nothing of its to correct; a request that no model caches is refused, with the
   * reason, before anything changes.
   */
  @Override
  public void correct(String scope, ChatRequest request, ChatResponse response) {
    Checks.notBlank("scope", scope);
    Checks.notNull("request", request);
    Checks.notNull("response", response);
    String wrong = ChatCore.notCorrectable(response);
    if (wrong != null) {
      throw new IllegalArgumentException(wrong);
    }
    List<ChatRequest> effectives = new ArrayList<>();
    List<ChatKey> keys = new ArrayList<>();
    Set<String> why = new java.util.LinkedHashSet<>();
    for (ChatModel m : routedModels()) {
      ChatRequest effective = ChatCore.effective(m.defaultRequestParameters(), request);
      KeyMaker.Result k = core.key(scope, ref(m, effective).cacheIdentity(), effective);
      if (k.key() == null) {
        why.add(k.explain());
      } else {
        effectives.add(effective);
        keys.add(k.key());
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException(
          "request is not cacheable, so it has no cached answer to correct: "
              + String.join("; ", why));
    }
    var answer = dev.optimizer.ai.chat.internal.cache.CachedAnswer.whole(ChatCore.lean(response));
    for (int i = 0; i < keys.size(); i++) {
      for (var tier : core.tiers()) {
        tier.replace(keys.get(i), effectives.get(i), answer);
      }
    }
  }

  @Override
  public boolean feedback(ChatRequest request, boolean correct) {
    Checks.notNull("request", request);
    return feedback(core.scope(request), request, correct);
  }

  @Override
  public boolean feedback(String scope, ChatRequest request, boolean correct) {
    Checks.notBlank("scope", scope);
    Checks.notNull("request", request);
    boolean any = false;
    for (ChatModel m : routedModels()) {
      ChatRequest effective = ChatCore.effective(m.defaultRequestParameters(), request);
      ChatKey key = core.key(scope, ref(m, effective).cacheIdentity(), effective).key();
      if (key != null) {
        for (var tier : core.tiers()) {
          any |= tier.feedback(key, effective, correct);
        }
      }
    }
    return any;
  }

  private List<ChatModel> routedModels() {
    return cheap == null ? List.of(primary) : List.of(primary, cheap);
  }

  // ---- ChatModel surface: the primary's

  /** Callers that go straight to {@code doChat} get the whole decorator too. */
  @Override
  public ChatResponse doChat(ChatRequest request) {
    return chat(request, ChatRequestOptions.EMPTY);
  }

  @Override
  public ChatRequestParameters defaultRequestParameters() {
    return primary.defaultRequestParameters();
  }

  @Override
  public ModelProvider provider() {
    return primary.provider();
  }

  @Override
  public Set<Capability> supportedCapabilities() {
    return primary.supportedCapabilities();
  }

  @Override
  public String toString() {
    return "OptimizedChat{"
        + ref(primary, null).id()
        + (cheap != null ? ", cheap=" + ref(cheap, null).id() : "")
        + "}";
  }
}
