package dev.optimizer.ai.chat.internal.coalesce;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.optimizer.ai.chat.internal.cache.ChatKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Single flight for streams: while a stream for a key is running, an identical request subscribes
 * to it instead of starting its own. The runtime's {@code Coalescer} shares one final value; a
 * stream also has to share its partial responses, so it gets this registry of its own with the same
 * contract: one upstream call per flight, the key released when the flight ends.
 *
 * <p>A subscriber that joins late is first given every partial response so far, then the live ones,
 * then the complete response (its own copy) or the error; replay and live delivery happen under the
 * flight's lock, so no subscriber misses or repeats a token. Each subscriber gets its own {@link
 * StreamingHandle}: cancelling it detaches that subscriber only, the upstream stream and the other
 * subscribers go on. An exception thrown by one subscriber's handler is caught and does not reach
 * the others. Thread-safe.
 */
public final class StreamFlights {
  private static final System.Logger LOG = System.getLogger(StreamFlights.class.getName());

  private final ConcurrentHashMap<ChatKey, Flight> flights = new ConcurrentHashMap<>();

  /** The result of {@link #join}: the flight, and whether this caller must start its upstream. */
  public record Joined(Flight flight, boolean leader) {}

  /** Subscribes {@code handler} to the flight for {@code key}, creating it if none is running. */
  public Joined join(ChatKey key, StreamingChatResponseHandler handler) {
    while (true) {
      Flight fresh = new Flight(key);
      Flight running = flights.putIfAbsent(key, fresh);
      if (running == null) {
        fresh.subscribe(handler);
        return new Joined(fresh, true);
      }
      if (running.subscribe(handler)) {
        return new Joined(running, false);
      }
      // It finished between our lookup and our subscription: retire it and try again.
      flights.remove(key, running);
    }
  }

  /** A flight of one subscriber that is not shared (a request that cannot be coalesced). */
  public Flight solo(StreamingChatResponseHandler handler) {
    Flight f = new Flight(null);
    f.subscribe(handler);
    return f;
  }

  /** Flights running now. */
  public int inFlight() {
    return flights.size();
  }

  /** Fails every running flight (the optimizer is closing). */
  public void close() {
    for (Flight f : List.copyOf(flights.values())) {
      f.fail(new IllegalStateException("the AiOptimizer was closed while the stream ran"));
    }
  }

  /** One shared upstream stream and its subscribers. */
  public final class Flight {
    private final ChatKey key;
    private final List<String> partials = new ArrayList<>(); // guarded by this
    private final List<Subscriber> subscribers = new ArrayList<>(); // guarded by this
    private boolean finished; // guarded by this

    private Flight(ChatKey key) {
      this.key = key;
    }

    private void retire() {
      if (key != null) {
        flights.remove(key, this);
      }
    }

    synchronized boolean subscribe(StreamingChatResponseHandler handler) {
      if (finished) {
        return false;
      }
      Subscriber s = new Subscriber(handler);
      for (String p : partials) {
        s.partial(p);
      }
      subscribers.add(s);
      return true;
    }

    /** The partial responses so far. */
    public synchronized List<String> partials() {
      return List.copyOf(partials);
    }

    /** Delivers a partial response from upstream to every subscriber. */
    public synchronized void partial(String text) {
      if (finished) {
        return;
      }
      partials.add(text);
      for (Subscriber s : subscribers) {
        s.partial(text);
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
  }

  private static final class Subscriber implements StreamingHandle {
    private final StreamingChatResponseHandler handler;
    private volatile boolean cancelled;

    Subscriber(StreamingChatResponseHandler handler) {
      this.handler = handler;
    }

    void partial(String text) {
      deliver(
          "a partial",
          () ->
              handler.onPartialResponse(
                  new PartialResponse(text), new PartialResponseContext(this)));
    }

    void complete(ChatResponse r) {
      deliver("completion", () -> handler.onCompleteResponse(r));
    }

    void error(Throwable t) {
      deliver("error", () -> handler.onError(t));
    }

    /** Hands one event to a subscriber still listening; its own failure stays its own. */
    private void deliver(String event, Runnable call) {
      if (cancelled) {
        return;
      }
      try {
        call.run();
      } catch (RuntimeException e) {
        LOG.log(
            System.Logger.Level.WARNING, "streaming handler failed on " + event + "; ignored", e);
      }
    }

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
