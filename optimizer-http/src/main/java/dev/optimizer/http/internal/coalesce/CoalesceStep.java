package dev.optimizer.http.internal.coalesce;

import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.Reply;
import dev.optimizer.http.internal.Step;
import dev.optimizer.runtime.coalesce.Coalescer;
import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Joins identical in-flight GET and HEAD requests into one, with the runtime's {@link Coalescer}.
 * Identical means the same method, URI, identity and request header fields — every field, since the
 * response's {@code Vary} is not known before it arrives — except per-request tracing fields
 * ({@code traceparent} and the like), which never select a representation. Requests of different
 * identities are never joined. Every caller gets its own future; cancelling it detaches that caller
 * only. Thread-safe.
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

  /** A coalescing step; its coalescer counts the joins. */
  public CoalesceStep() {}

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
  public java.util.concurrent.CompletableFuture<Reply> apply(HttpCall call, Chain next) {
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
    return coalescer.execute(key, () -> next.proceed(call));
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
