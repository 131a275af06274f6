package dev.optimizer.runtime.coalesce;

import dev.optimizer.api.internal.Checks;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Single flight per key: while a load for a key is running, callers asking for an equal key join it
 * instead of starting their own. Once the load completes the key is released, so the next call
 * loads again; this is not a cache, it only removes duplicate concurrent work (a thundering herd on
 * one cache miss, many identical requests in flight).
 *
 * <p>Every caller gets its own future. Cancelling it detaches that caller only: the load and the
 * other callers carry on. A load that fails, synchronously or not, fails every caller that joined
 * it with the same exception, and releases the key.
 *
 * <pre>{@code
 * Coalescer<String, Profile> profiles = Coalescer.create();
 * CompletableFuture<Profile> profile = profiles.execute(userId, () -> client.fetchProfile(userId));
 * }</pre>
 *
 * <p>Keys are compared with {@code equals}/{@code hashCode}. A loader must not ask the same
 * coalescer for the same key (it would wait for itself). Thread-safe; no threads of its own.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class Coalescer<K, V> {

  private final ConcurrentHashMap<K, CompletableFuture<V>> flights = new ConcurrentHashMap<>();
  private final LongAdder loads = new LongAdder();
  private final LongAdder coalesced = new LongAdder();

  private Coalescer() {}

  /** Creates a coalescer. */
  public static <K, V> Coalescer<K, V> create() {
    return new Coalescer<>();
  }

  /**
   * Returns the result of the load running for {@code key}, starting one with {@code loader} if
   * none is running. The loader runs on the calling thread of the first caller; the stage it
   * returns may complete on any thread.
   *
   * @param key the key; equal keys share a load
   * @param loader starts the load; called at most once per flight, never for a caller that joins
   * @return this caller's own future of the shared result
   */
  public CompletableFuture<V> execute(
      K key, Supplier<? extends CompletionStage<? extends V>> loader) {
    Checks.notNull("key", key);
    Checks.notNull("loader", loader);
    CompletableFuture<V> flight = new CompletableFuture<>();
    CompletableFuture<V> running = flights.putIfAbsent(key, flight);
    if (running != null) {
      coalesced.increment();
      return follow(running);
    }
    loads.increment();
    // Follow before starting the load: a loader that completes synchronously must still reach us.
    CompletableFuture<V> mine = follow(flight);
    CompletionStage<? extends V> stage;
    try {
      stage = loader.get();
      if (stage == null) {
        throw new NullPointerException("loader returned null instead of a CompletionStage");
      }
    } catch (Throwable t) {
      land(key, flight, null, t);
      return mine;
    }
    stage.whenComplete((value, error) -> land(key, flight, value, error));
    return mine;
  }

  /**
   * Synchronous twin of {@link #execute}: the first caller runs {@code loader} on its own thread;
   * callers with an equal key that arrive meanwhile wait for its outcome.
   *
   * @return the shared result
   * @throws Exception the exception the loader threw, rethrown to every caller that joined
   * @throws InterruptedException if a joining caller is interrupted while waiting (the load goes
   *     on)
   */
  public V call(K key, Callable<? extends V> loader) throws Exception {
    Checks.notNull("key", key);
    Checks.notNull("loader", loader);
    CompletableFuture<V> flight = new CompletableFuture<>();
    CompletableFuture<V> running = flights.putIfAbsent(key, flight);
    if (running != null) {
      coalesced.increment();
      return await(running);
    }
    loads.increment();
    V value;
    try {
      value = loader.call();
    } catch (Throwable t) {
      land(key, flight, null, t);
      throw t;
    }
    land(key, flight, value, null);
    return value;
  }

  /** Returns counters since the coalescer was created. */
  public Stats stats() {
    return new Stats(loads.sum(), coalesced.sum(), flights.size());
  }

  /** Releases the key first, so that a caller arriving after completion starts a fresh load. */
  private void land(K key, CompletableFuture<V> flight, V value, Throwable error) {
    flights.remove(key, flight);
    if (error == null) {
      flight.complete(value);
    } else {
      flight.completeExceptionally(unwrap(error));
    }
  }

  /**
   * A caller's own future: a plain copy, so that cancelling (or completing) it cannot reach the
   * shared flight. Unlike {@code thenApply}, errors arrive unwrapped, as the loader raised them.
   */
  private static <V> CompletableFuture<V> follow(CompletableFuture<V> flight) {
    CompletableFuture<V> mine = new CompletableFuture<>();
    flight.whenComplete(
        (value, error) -> {
          if (error == null) {
            mine.complete(value);
          } else {
            mine.completeExceptionally(error);
          }
        });
    return mine;
  }

  private static <V> V await(CompletableFuture<V> flight) throws Exception {
    try {
      return flight.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception) {
        throw (Exception) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw e;
    }
  }

  private static Throwable unwrap(Throwable error) {
    // whenComplete on a dependent stage reports CompletionException(cause); callers want the cause.
    if (error instanceof CompletionException && error.getCause() != null) {
      return error.getCause();
    }
    return error;
  }

  /**
   * Counters since the coalescer was created.
   *
   * @param loads loads started (one per flight)
   * @param coalesced calls that joined a flight instead of loading
   * @param inFlight keys with a load running now
   */
  public record Stats(long loads, long coalesced, int inFlight) {}
}
