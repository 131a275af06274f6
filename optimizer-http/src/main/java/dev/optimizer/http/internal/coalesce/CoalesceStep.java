package dev.optimizer.http.internal.coalesce;

import dev.optimizer.api.Ticker;
import dev.optimizer.http.RequestRejectedException;
import dev.optimizer.http.internal.Futures;
import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.Reply;
import dev.optimizer.http.internal.Step;
import dev.optimizer.runtime.coalesce.Coalescer;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpTimeoutException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Joins identical in-flight GET and HEAD requests into one, with the runtime's {@link Coalescer}.
 * Identical means the same method, URI, identity and request header fields — every field, since the
 * response's {@code Vary} is not known before it arrives — except per-request tracing fields
 * ({@code traceparent} and the like), which never select a representation. Requests of different
 * identities are never joined. Every caller gets its own future; cancelling it detaches that caller
 * only.
 *
 * <p>The request sent is the first caller's (the leader's): its deadline, and its thread for a
 * blocking send. A caller that joined is not bound by them: when the leader's deadline or interrupt
 * ends the shared request while the joiner still has time, the joiner asks again. Thread-safe.
 */
public final class CoalesceStep implements Step {
  /** Fields that differ per request but never change the response. */
  static final Set<String> IGNORED =
      Set.of(
          "traceparent",
          "tracestate",
          "baggage",
          "x-request-id",
          "x-correlation-id",
          "x-b3-traceid",
          "x-b3-spanid",
          "x-b3-parentspanid",
          "x-b3-sampled",
          "b3",
          "x-amzn-trace-id");

  private final Coalescer<Key, Reply> coalescer = Coalescer.create();
  private final Ticker ticker;

  /**
   * A coalescing step; its coalescer counts the joins.
   *
   * @param ticker the time source of the calls' deadlines
   */
  public CoalesceStep(Ticker ticker) {
    this.ticker = ticker;
  }

  /** The coalescer (for telemetry). */
  public Coalescer<?, ?> coalescer() {
    return coalescer;
  }

  private record Key(
      String method,
      String uri,
      String identity,
      Map<String, List<String>> headers,
      Map<String, String> extra) {}

  @Override
  public CompletableFuture<Reply> apply(HttpCall call, Chain next) {
    if (call.hasBody() || !("GET".equals(call.method()) || "HEAD".equals(call.method()))) {
      return next.proceed(call);
    }
    Key key =
        new Key(
            call.method(),
            call.uri().toString(),
            call.identity(),
            relevant(call.headers()),
            call.extraHeaders());
    Send send = new Send(call, next);
    CompletableFuture<Reply> shared = coalescer.execute(key, send);
    if (send.led) {
      releaseIfAbandoned(shared, send.sent);
      return shared; // our own call went out: its deadline, and its failures, are ours
    }
    return joined(call, next, shared);
  }

  /** Sends the call for its flight, noting that this caller leads it. */
  private static final class Send implements Supplier<CompletionStage<Reply>> {
    final HttpCall call;
    final Chain next;
    boolean led; // only read on the caller's thread, which the coalescer calls get() on

    Send(HttpCall call, Chain next) {
      this.call = call;
      this.next = next;
    }

    CompletableFuture<Reply> sent; // likewise

    @Override
    public CompletionStage<Reply> get() {
      led = true;
      sent = next.proceed(call);
      return sent;
    }
  }

  /**
   * Releases the leader's answer when the leader gave up on it (cancelled, or failed at its
   * deadline) and its body is unread. The coalescer never lets one caller cancel a shared flight,
   * so the request goes on for whoever joined; but an unread body is the leader's alone (a joiner
   * sends its own, see {@link #joined}), so nobody would read it, and it would hold its connection.
   */
  private static void releaseIfAbandoned(
      CompletableFuture<Reply> shared, CompletableFuture<Reply> sent) {
    if (sent == null) {
      return; // the loader failed before sending
    }
    shared.whenComplete(
        (r, e) -> {
          if (e != null) { // if the flight itself failed, sent failed too and there is nothing
            sent.thenAccept(Reply::discard);
          }
        });
  }

  /**
   * The answer of a caller that joined a flight. The request in flight is the leader's call, with
   * the leader's deadline, and for a blocking send it runs on the leader's thread: it can fail
   * because the leader's deadline passed or the leader was interrupted, while this caller's own
   * deadline is later or absent. Such a failure is not this caller's, so it asks again, through the
   * coalescer: it leads a new flight (that the other joiners share) or joins one. Only failures the
   * leader may have caused alone are asked again (a timeout, a limit's queue wait cut short, an
   * interrupt or a cancellation), and only while this caller's deadline has not passed: any other
   * failure, a refused connection say, would have been this caller's too, and sending every joiner
   * again would undo the coalescing just when the origin is in trouble. Each new flight is led by
   * another caller, so this ends.
   *
   * <p>Keying flights by their timeout instead would not do: two callers with the same timeout do
   * not have the same deadline, and an interrupt of the leader would still fail everyone.
   */
  private CompletableFuture<Reply> joined(
      HttpCall call, Chain next, CompletableFuture<Reply> shared) {
    CompletableFuture<Reply> mine = new CompletableFuture<>();
    shared.whenComplete(
        (reply, error) -> {
          if (error == null) {
            if (reply.isUnread() && !mine.isDone()) {
              // The leader's body is a stream only the leader can read: this caller sends its own,
              // past the coalescer, since the answer to this request is not to be shared.
              Futures.follow(next.proceed(call), mine);
            } else {
              mine.complete(reply);
            }
            return;
          }
          Throwable cause = Futures.unwrap(error);
          if (mine.isDone() || !leaderMayHaveCaused(cause) || deadlinePassed(call)) {
            mine.completeExceptionally(cause);
            return;
          }
          CompletableFuture<Reply> again = apply(call, next);
          Futures.follow(again, mine);
        });
    return mine;
  }

  private static boolean leaderMayHaveCaused(Throwable cause) {
    return cause instanceof HttpTimeoutException && !(cause instanceof HttpConnectTimeoutException)
        || cause instanceof RequestRejectedException r
            && r.reason() == RequestRejectedException.Reason.LIMIT_TIMEOUT
        || cause instanceof InterruptedException
        || cause instanceof CancellationException;
  }

  private boolean deadlinePassed(HttpCall call) {
    return call.deadlineNanos() != Long.MAX_VALUE && ticker.read() - call.deadlineNanos() >= 0;
  }

  private static Map<String, List<String>> relevant(HttpHeaders headers) {
    Map<String, List<String>> map = headers.map();
    boolean any = false;
    for (String name : map.keySet()) {
      if (IGNORED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        any = true;
        break;
      }
    }
    if (!any) {
      return map;
    }
    Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    map.forEach(
        (k, v) -> {
          if (!IGNORED.contains(k.toLowerCase(java.util.Locale.ROOT))) {
            copy.put(k, v);
          }
        });
    return copy;
  }
}
