package dev.optimizer.ai.chat.internal.coalesce;

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
import dev.optimizer.ai.chat.internal.cache.CachedAnswer;
import dev.optimizer.ai.chat.internal.cache.ChatKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Single flight for streams: while a stream for a key is running, an identical request subscribes
 * to it instead of starting its own. The runtime's {@code Coalescer} shares one final value; a
 * stream also has to share its partial responses, so it gets this registry of its own with the same
 * contract: one upstream call per flight, the key released when the flight ends.
 *
 * <p>A subscriber that joins late is first given every event so far (partial responses, reasoning,
 * tool calls), then the live ones, then the complete response (its own copy) or the error; replay
 * and live delivery happen under the flight's lock, so no subscriber misses or repeats a token.
 * Each subscriber gets its own {@link StreamingHandle}: cancelling it detaches that subscriber
 * only, and the upstream stream and the other subscribers go on, until the last one cancels: then
 * the upstream stream is cancelled too. An exception thrown by one subscriber's handler goes to
 * that handler's {@code onError}, as LangChain4j's clients do, and does not reach the others.
 * Thread-safe.
 */
public final class StreamFlights {
  private static final System.Logger LOG = System.getLogger(StreamFlights.class.getName());

  private final ConcurrentHashMap<ChatKey, Flight> flights = new ConcurrentHashMap<>();
  // Every running flight, solo ones included, so that close() reaches them all.
  private final Set<Flight> running = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /** The result of {@link #join}: the flight, and whether this caller must start its upstream. */
  public record Joined(Flight flight, boolean leader) {}

  /** Subscribes {@code handler} to the flight for {@code key}, creating it if none is running. */
  public Joined join(ChatKey key, StreamingChatResponseHandler handler) {
    while (true) {
      Flight fresh = new Flight(key);
      Flight current = flights.putIfAbsent(key, fresh);
      if (current == null) {
        fresh.subscribe(handler);
        track(fresh);
        return new Joined(fresh, true);
      }
      if (current.subscribe(handler)) {
        return new Joined(current, false);
      }
      // It finished between our lookup and our subscription: retire it and try again.
      flights.remove(key, current);
    }
  }

  /** The error a stream's subscribers get when the optimizer closes under it. */
  public static IllegalStateException closedError(Throwable cause) {
    return new IllegalStateException("the AiOptimizer was closed while the stream ran", cause);
  }

  /** A flight of one subscriber that is not shared (a request that cannot be coalesced). */
  public Flight solo(StreamingChatResponseHandler handler) {
    Flight f = new Flight(null);
    f.subscribe(handler);
    track(f);
    return f;
  }

  /** Registers a running flight; one that starts while the registry closes fails at once. */
  private void track(Flight f) {
    running.add(f);
    if (closed) {
      f.close();
    }
  }

  /** Flights running now. */
  public int inFlight() {
    return flights.size();
  }

  /**
   * Fails every running flight, coalesced or solo, and cancels its upstream stream (the optimizer
   * is closing): its subscribers learn at once instead of waiting on timers and threads that are
   * about to stop, and the model stops generating an answer nobody will receive.
   */
  public void close() {
    closed = true;
    for (Flight f : List.copyOf(running)) {
      f.close();
    }
  }

  /**
   * Runs one event of {@code handler} as LangChain4j's own clients do: an exception the handler
   * throws goes to its {@code onError} (and the stream goes on), never to the thread that delivered
   * the event. A handler that reports its failures through {@code onError} (an adapter to a future
   * or a reactive stream) would otherwise wait forever when its {@code onCompleteResponse} threw,
   * and a replay on the caller's thread would throw out of {@code chat}.
   *
   * @param event what is delivered, for the log
   */
  public static void deliver(StreamingChatResponseHandler handler, String event, Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.DEBUG,
          "streaming handler failed on " + event + "; passed to onError");
      error(handler, e);
    }
  }

  /** Fails {@code handler}; an exception its {@code onError} throws is logged and ignored. */
  public static void error(StreamingChatResponseHandler handler, Throwable error) {
    try {
      handler.onError(error);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "streaming handler failed on error; ignored", e);
    }
  }

  /** One shared upstream stream and its subscribers. */
  public final class Flight {
    private final ChatKey key;
    // The text and reasoning so far, in arrival order: what a cached replay streams.
    private final List<CachedAnswer.Part> parts = new ArrayList<>(); // guarded by this
    private boolean toolCalls; // guarded by this
    // Every event so far, text or not, in order: what a late subscriber is given first.
    private final List<Consumer<Subscriber>> events = new ArrayList<>(); // guarded by this
    private final List<Subscriber> subscribers = new ArrayList<>(); // guarded by this
    private StreamingHandle upstream; // guarded by this
    private boolean finished; // guarded by this
    private boolean abandoned; // guarded by this
    private Runnable onAbandoned; // guarded by this

    private Flight(ChatKey key) {
      this.key = key;
    }

    private void retire() {
      if (key != null) {
        flights.remove(key, this);
      }
      running.remove(this);
    }

    private void close() {
      fail(closedError(null));
      StreamingHandle cancel;
      synchronized (this) {
        cancel = upstream;
      }
      if (cancel != null && !cancel.isCancelled()) {
        cancel.cancel();
      }
    }

    synchronized boolean subscribe(StreamingChatResponseHandler handler) {
      if (finished) {
        return false;
      }
      Subscriber s = new Subscriber(this, handler);
      for (Consumer<Subscriber> e : events) {
        e.accept(s);
      }
      subscribers.add(s);
      return true;
    }

    /** The partial responses and partial thinking so far, in arrival order. */
    public synchronized List<CachedAnswer.Part> parts() {
      return List.copyOf(parts);
    }

    /** Whether the stream has sent a tool call, in part or whole. */
    public synchronized boolean sentToolCalls() {
      return toolCalls;
    }

    /**
     * Whether the flight has ended: completed, failed, or abandoned by every subscriber. An ended
     * flight needs no further attempt.
     */
    public synchronized boolean ended() {
      return finished;
    }

    /**
     * Whether every subscriber cancelled before the stream ended. The partials of such a flight
     * stop where the last subscriber left, while a model that ignores cancellation (or was never
     * given a way to be cancelled) may still complete with the whole text: its answer must not be
     * stored.
     */
    public synchronized boolean abandoned() {
      return abandoned;
    }

    /**
     * Runs {@code action} once if every subscriber cancels before the stream ends (at once if they
     * already have). Replaces the action of an earlier attempt, which has ended by then: each
     * attempt registers its own, to hand back what it holds (its circuit-breaker permit).
     */
    public void onAbandoned(Runnable action) {
      synchronized (this) {
        if (!abandoned) {
          onAbandoned = action;
          return;
        }
      }
      action.run();
    }

    /**
     * The upstream stream's handle, for cancelling it once every subscriber has cancelled (at once
     * if they all have already).
     */
    public void upstream(StreamingHandle handle) {
      boolean cancelNow;
      synchronized (this) {
        if (upstream == null) {
          upstream = handle;
        }
        // Abandoned, or ended by close(): nobody reads the rest. A flight that completed or failed
        // on its own has no stream left to cancel.
        cancelNow = abandoned || closed;
      }
      if (cancelNow && !handle.isCancelled()) {
        handle.cancel();
      }
    }

    /** Delivers a partial response from upstream to every subscriber. */
    public synchronized void partial(String text) {
      if (finished) {
        return;
      }
      parts.add(CachedAnswer.Part.text(text));
      event(s -> s.partial(text));
    }

    /** Delivers a part of the model's reasoning to every subscriber. */
    public synchronized void thinking(PartialThinking thinking) {
      if (!finished && thinking.text() != null) {
        parts.add(CachedAnswer.Part.thinking(thinking.text()));
      }
      event(s -> s.thinking(thinking));
    }

    /** Delivers a part of a tool call's arguments to every subscriber. */
    public synchronized void toolCall(PartialToolCall call) {
      toolCalls = true;
      event(s -> s.toolCall(call));
    }

    /** Delivers a whole tool call to every subscriber. */
    public synchronized void completeToolCall(CompleteToolCall call) {
      toolCalls = true;
      event(s -> s.completeToolCall(call));
    }

    /** Delivers a provider event LangChain4j does not map to every subscriber. */
    public synchronized void rawEvent(Object raw) {
      event(s -> s.rawEvent(raw));
    }

    private void event(Consumer<Subscriber> e) {
      if (finished) {
        return;
      }
      events.add(e);
      for (Subscriber s : subscribers) {
        e.accept(s);
      }
    }

    /** Completes every subscriber with its own copy of {@code response}, and ends the flight. */
    public void complete(ChatResponse response) {
      retire();
      synchronized (this) {
        if (finished) {
          return;
        }
        finished = true;
        for (Subscriber s : subscribers) {
          s.complete(response.toBuilder().build());
        }
      }
    }

    /** Fails every subscriber with {@code error}, and ends the flight. */
    public void fail(Throwable error) {
      retire();
      synchronized (this) {
        if (finished) {
          return;
        }
        finished = true;
        for (Subscriber s : subscribers) {
          s.error(error);
        }
      }
    }

    /**
     * A subscriber cancelled. When none is left listening, nobody wants the rest of the stream: the
     * flight ends (a later identical request starts its own) and the upstream stream is cancelled,
     * so that the model stops generating what would be paid for and thrown away.
     */
    private void detached() {
      StreamingHandle cancel;
      Runnable then;
      synchronized (this) {
        if (finished) {
          return;
        }
        for (Subscriber s : subscribers) {
          if (!s.cancelled) {
            return;
          }
        }
        finished = true;
        abandoned = true;
        cancel = upstream;
        then = onAbandoned;
        onAbandoned = null;
      }
      retire();
      if (cancel != null && !cancel.isCancelled()) {
        cancel.cancel();
      }
      if (then != null) {
        then.run();
      }
    }
  }

  private static final class Subscriber implements StreamingHandle {
    private final Flight flight;
    private final StreamingChatResponseHandler handler;
    private volatile boolean cancelled;

    Subscriber(Flight flight, StreamingChatResponseHandler handler) {
      this.flight = flight;
      this.handler = handler;
    }

    void partial(String text) {
      deliver(
          "a partial",
          () ->
              handler.onPartialResponse(
                  new PartialResponse(text), new PartialResponseContext(this)));
    }

    void thinking(PartialThinking thinking) {
      deliver(
          "partial thinking",
          () -> handler.onPartialThinking(thinking, new PartialThinkingContext(this)));
    }

    void toolCall(PartialToolCall call) {
      deliver(
          "a partial tool call",
          () -> handler.onPartialToolCall(call, new PartialToolCallContext(this)));
    }

    void completeToolCall(CompleteToolCall call) {
      deliver("a complete tool call", () -> handler.onCompleteToolCall(call));
    }

    void rawEvent(Object raw) {
      deliver("an unmapped event", () -> handler.onUnmappedRawEvent(raw));
    }

    void complete(ChatResponse r) {
      deliver("completion", () -> handler.onCompleteResponse(r));
    }

    void error(Throwable t) {
      if (!cancelled) {
        StreamFlights.error(handler, t);
      }
    }

    /** Hands one event to a subscriber still listening; its own failure stays its own. */
    private void deliver(String event, Runnable call) {
      if (!cancelled) {
        StreamFlights.deliver(handler, event, call);
      }
    }

    @Override
    public void cancel() {
      if (!cancelled) {
        cancelled = true;
        flight.detached();
      }
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }
  }
}
