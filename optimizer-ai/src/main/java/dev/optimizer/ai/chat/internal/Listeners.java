package dev.optimizer.ai.chat.internal;

import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fires a model's {@link ChatModelListener}s for a request the decorators answered without calling
 * the model (a cache hit, a coalesced joiner), as LangChain4j itself would: each listener called in
 * order, exceptions caught and logged, never reaching the caller. The attributes carry {@value
 * #SERVED_BY} = {@code cache:exact}, {@code cache:semantic} or {@code coalesced}, so a listener can
 * tell these calls from the model's own.
 */
public final class Listeners {
  /** The listener attribute naming what served a call that did not reach the model. */
  public static final String SERVED_BY = "optimizer.ai.served_by";

  private static final System.Logger LOG = System.getLogger(Listeners.class.getName());

  private final List<ChatModelListener> listeners;
  private final ModelProvider provider;
  private final ChatRequest request;
  private final Map<Object, Object> attributes;

  private Listeners(
      List<ChatModelListener> listeners,
      ModelProvider provider,
      ChatRequest request,
      Map<Object, Object> attributes) {
    this.listeners = listeners;
    this.provider = provider;
    this.request = request;
    this.attributes = attributes;
  }

  /** Fires {@code onRequest} and returns the handle for the outcome. */
  public static Listeners onRequest(
      List<ChatModelListener> listeners,
      ModelProvider provider,
      ChatRequest request,
      Map<Object, Object> options,
      String servedBy) {
    Map<Object, Object> attributes = new ConcurrentHashMap<>(options);
    attributes.put(SERVED_BY, servedBy);
    Listeners l = new Listeners(listeners, provider, request, attributes);
    if (!listeners.isEmpty()) {
      ChatModelRequestContext c = new ChatModelRequestContext(request, provider, attributes);
      for (ChatModelListener listener : listeners) {
        try {
          listener.onRequest(c);
        } catch (RuntimeException e) {
          LOG.log(System.Logger.Level.WARNING, "chat model listener failed; ignored", e);
        }
      }
    }
    return l;
  }

  /** Fires {@code onResponse}. */
  public void onResponse(ChatResponse response) {
    if (listeners.isEmpty()) {
      return;
    }
    ChatModelResponseContext c =
        new ChatModelResponseContext(response, request, provider, attributes);
    for (ChatModelListener listener : listeners) {
      try {
        listener.onResponse(c);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "chat model listener failed; ignored", e);
      }
    }
  }

  /** Fires {@code onError}. */
  public void onError(Throwable error) {
    if (listeners.isEmpty()) {
      return;
    }
    ChatModelErrorContext c = new ChatModelErrorContext(error, request, provider, attributes);
    for (ChatModelListener listener : listeners) {
      try {
        listener.onError(c);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "chat model listener failed; ignored", e);
      }
    }
  }
}
