package dev.optimizer.ai.chat.internal;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatRequestOptions;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.CompleteToolCall;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.PartialThinking;
import dev.langchain4j.model.chat.response.PartialThinkingContext;
import dev.langchain4j.model.chat.response.PartialToolCall;
import dev.langchain4j.model.chat.response.PartialToolCallContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.optimizer.ai.chat.ModelPrice;
import dev.optimizer.ai.chat.ModelRouter;
import dev.optimizer.ai.chat.ModelTier;
import dev.optimizer.ai.chat.internal.cache.CachedAnswer;
import dev.optimizer.ai.chat.internal.cache.ChatKey;
import dev.optimizer.ai.chat.internal.cache.KeyMaker;
import dev.optimizer.ai.chat.internal.coalesce.StreamFlights;
import dev.optimizer.api.Ticker;
import dev.optimizer.api.internal.Checks;
import io.opentelemetry.context.Context;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The streaming chat decorator. A cache hit is replayed as a stream (the stored partial responses
 * and partial thinking in the order they first arrived, then the complete response). A miss joins
 * the running stream of an identical request, or starts one: the upstream stream is retried (or
 * sent to a fallback) only while it has produced no event (text, reasoning or a tool call), since
 * events already delivered cannot be taken back; a stream that fails after that is aborted for
 * every subscriber and never cached. An attempt that sends no event within {@code callTimeout} is
 * abandoned (its late events ignored) and retried or sent to a fallback like a failure; after the
 * first event, stalls are left to the client's own read timeout. Every event LangChain4j defines is
 * passed on, not only text. When every subscriber has cancelled, the upstream stream is cancelled
 * through its handle. A completed stream is cached with its partials when the rules allow, never
 * one abandoned by its subscribers or one whose partials do not make up its final text. This class
 * serves hits and joins or starts flights; the upstream stream's attempts and its recording are
 * {@link UpstreamStreams}'. Thread-safe.
 */
public final class OptimizedStreamingChat implements StreamingChatModel {
  private final ChatCore core;
  private final StreamingChatModel primary;
  private final StreamingChatModel cheap; // null when not routed
  private final List<StreamingChatModel> fallbacks;
  private final UpstreamStreams streams;

  /**
   * A decorator.
   *
   * @param primary the model (the strong one of a routed pair)
   * @param cheap the cheap model of a routed pair, or null
   * @param fallbacks models to try, in order, when the chosen one fails before its first token
   */
  public OptimizedStreamingChat(
      ChatCore core,
      StreamingChatModel primary,
      StreamingChatModel cheap,
      List<StreamingChatModel> fallbacks,
      Ticker ticker) {
    this.core = core;
    this.primary = primary;
    this.cheap = cheap;
    this.fallbacks = List.copyOf(fallbacks);
    this.streams = new UpstreamStreams(core, ticker, cheap != null);
  }

  @Override
  public void chat(
      ChatRequest request, ChatRequestOptions options, StreamingChatResponseHandler handler) {
    Checks.notNull("chatRequest", request);
    core.checkOpen();
    Checks.notNull("handler", handler);
    ChatRequestOptions opts = options == null ? ChatRequestOptions.EMPTY : options;
    String scope = core.scope(request);
    StreamingChatModel chosen = primary;
    if (cheap != null) {
      ModelRouter.Route route = core.settings().router().route(request);
      core.metrics().routed(route.tier().name().toLowerCase(Locale.ROOT), route.reason());
      chosen = route.tier() == ModelTier.CHEAP ? cheap : primary;
    }
    ChatCore.Budget budget = core.budget(scope, cheap != null);
    if (budget == ChatCore.Budget.DOWNGRADE) {
      chosen = cheap;
    }
    List<StreamingChatModel> chain =
        ChatCore.chain(chosen, primary, cheap, fallbacks, budget == ChatCore.Budget.DOWNGRADE);
    ModelPrice strong = strongPrice(request);
    ChatRequest effective = ChatCore.effective(chosen.defaultRequestParameters(), request);
    ModelRef ref = ref(core, chosen, effective);
    KeyMaker.Result k = core.key(scope, ref.cacheIdentity(), effective);
    ChatKey key = k.key();
    if (key == null) {
      if (budget == ChatCore.Budget.REFUSE) {
        throw core.refusal(scope);
      }
      streams.start(
          new UpstreamStreams.Run(
              core.flights().solo(handler),
              chain,
              strong,
              request,
              opts,
              scope,
              null,
              effective,
              Context.current()));
      return;
    }
    Optional<ChatCore.Hit> hit = core.lookup(key, effective);
    if (hit.isPresent()) {
      replay(chosen, ref, strong, effective, opts, hit.get(), handler);
      return;
    }
    if (budget == ChatCore.Budget.REFUSE) {
      throw core.refusal(scope);
    }
    core.metrics().miss(ref.attributes());
    if (!core.settings().coalescing()) {
      streams.start(
          new UpstreamStreams.Run(
              core.flights().solo(handler),
              chain,
              strong,
              request,
              opts,
              scope,
              key,
              effective,
              Context.current()));
      return;
    }
    // A joiner's listeners are fired here; the leader's fire inside the model's own chat().
    // Completed right after join (below) without taking any lock, so a completion that arrives
    // first waits only for that.
    CompletableFuture<Optional<Listeners>> joinerListeners = new CompletableFuture<>();
    StreamingChatResponseHandler joinerView =
        new StreamingChatResponseHandler() {
          @Override
          public void onPartialResponse(PartialResponse p, PartialResponseContext c) {
            handler.onPartialResponse(p, c);
          }

          @Override
          public void onPartialThinking(PartialThinking t, PartialThinkingContext c) {
            handler.onPartialThinking(t, c);
          }

          @Override
          public void onPartialToolCall(PartialToolCall t, PartialToolCallContext c) {
            handler.onPartialToolCall(t, c);
          }

          @Override
          public void onCompleteToolCall(CompleteToolCall t) {
            handler.onCompleteToolCall(t);
          }

          @Override
          public void onUnmappedRawEvent(Object raw) {
            handler.onUnmappedRawEvent(raw);
          }

          @Override
          public void onCompleteResponse(ChatResponse r) {
            joinerListeners.join().ifPresent(l -> l.onResponse(r));
            handler.onCompleteResponse(r);
          }

          @Override
          public void onError(Throwable e) {
            joinerListeners.join().ifPresent(l -> l.onError(e));
            handler.onError(e);
          }
        };
    StreamFlights.Joined j = core.flights().join(key, joinerView);
    if (j.leader()) {
      joinerListeners.complete(Optional.empty());
      streams.start(
          new UpstreamStreams.Run(
              j.flight(), chain, strong, request, opts, scope, key, effective, Context.current()));
    } else {
      core.metrics().coalesced(ref.attributes(), "stream");
      joinerListeners.complete(
          Optional.of(
              Listeners.onRequest(
                  chosen.listeners(),
                  chosen.provider(),
                  effective,
                  opts.listenerAttributes(),
                  "coalesced")));
    }
  }

  private void replay(
      StreamingChatModel chosen,
      ModelRef ref,
      ModelPrice strong,
      ChatRequest effective,
      ChatRequestOptions opts,
      ChatCore.Hit hit,
      StreamingChatResponseHandler handler) {
    ChatResponse r = ChatCore.copy(hit.answer().response());
    long[] t = ChatCore.tokens(r);
    double saved =
        core.ledger()
            .hit(
                t[0],
                t[1],
                cheap == null
                    ? core.settings().price(r.modelName(), effective.modelName(), ref.name())
                    : strong);
    core.metrics().hit(hit.tier(), ref.attributes(), t[0] + t[1]);
    core.metrics().costSaved(saved, "cache");
    Listeners l =
        Listeners.onRequest(
            chosen.listeners(),
            chosen.provider(),
            effective,
            opts.listenerAttributes(),
            "cache:" + hit.tier());
    Handle handle = new Handle();
    // The stored stream as it arrived: reasoning and text, interleaved as the model sent them.
    // Delivered as a live stream is: what the handler throws goes to its onError, not out of chat.
    for (CachedAnswer.Part p : hit.answer().parts()) {
      if (handle.cancelled) {
        return;
      }
      switch (p.kind()) {
        case TEXT ->
            StreamFlights.deliver(
                handler,
                "a partial",
                () ->
                    handler.onPartialResponse(
                        new PartialResponse(p.text()), new PartialResponseContext(handle)));
        case THINKING ->
            StreamFlights.deliver(
                handler,
                "partial thinking",
                () ->
                    handler.onPartialThinking(
                        new PartialThinking(p.text()), new PartialThinkingContext(handle)));
      }
    }
    if (handle.cancelled) {
      return; // as a live stream: a subscriber that cancelled is not completed
    }
    l.onResponse(r);
    StreamFlights.deliver(handler, "completion", () -> handler.onCompleteResponse(r));
  }

  /** The price of the strong model (the primary) for this request. */
  private ModelPrice strongPrice(ChatRequest request) {
    return core.settings().price(null, ref(core, primary, request).name(), null);
  }

  /** Callers that go straight to {@code doChat} get the whole decorator too. */
  @Override
  public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
    chat(request, ChatRequestOptions.EMPTY, handler);
  }

  /** Model {@code m} as {@code request} addresses it: the request's model name over the default. */
  static ModelRef ref(ChatCore core, StreamingChatModel m, ChatRequest request) {
    return ModelRef.of(
        m.provider(),
        m.defaultRequestParameters().overrideWith(request.parameters()),
        core.instance(m),
        core.modelSettings(m));
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

  private static final class Handle implements StreamingHandle {
    volatile boolean cancelled;

    @Override
    public void cancel() {
      cancelled = true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }
  }
}
