package dev.optimizer.http.internal.cache;

import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.Reply;
import java.util.List;
import java.util.Set;

/** Whether a response may be stored (RFC 9111 §3, §3.5), in a private or a shared cache. */
final class CachePolicy {
  /** Status codes heuristically cacheable (RFC 9110 §15.1), less 206 (no range support). */
  static final Set<Integer> HEURISTICALLY_CACHEABLE =
      Set.of(200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501);

  /** Final status codes this cache understands and may store (§3: "understood"). */
  private static final Set<Integer> UNDERSTOOD =
      Set.of(200, 203, 204, 300, 301, 302, 303, 307, 308, 404, 405, 410, 414, 501);

  private CachePolicy() {}

  /**
   * Why a response may not be stored, or null if it may (§3). {@code requestCc} are the request's
   * directives and {@code responseCc} the response's.
   */
  static String refusal(
      HttpCall call, Reply reply, CacheControl requestCc, CacheControl responseCc, boolean shared) {
    if (!"GET".equals(call.method())) {
      return "method";
    }
    if (!UNDERSTOOD.contains(reply.status())) {
      return "status";
    }
    if (!reply.uri().equals(call.uri())) {
      return "redirected";
    }
    if (requestCc.has("no-store") || responseCc.has("no-store")) {
      return "no-store";
    }
    if (shared && responseCc.has("private")) {
      return "private";
    }
    if (shared
        && call.headers().firstValue("authorization").isPresent()
        && !(responseCc.has("must-revalidate")
            || responseCc.has("public")
            || responseCc.has("s-maxage"))) {
      return "authorization";
    }
    if (shared && reply.headers().firstValue("set-cookie").isPresent()) {
      // Allowed by §7.3 when not private, but one user's cookie must never reach another.
      return "set-cookie";
    }
    List<String> vary = StoredResponse.varyNames(reply.headers());
    if (vary.contains("*")) {
      return "vary-star"; // §4.1: never matches, so storing it would be useless
    }
    boolean explicit =
        responseCc.has("max-age")
            || (shared && responseCc.has("s-maxage"))
            || reply.headers().firstValue("expires").isPresent()
            || responseCc.has("public")
            || (!shared && responseCc.has("private"))
            || HEURISTICALLY_CACHEABLE.contains(reply.status());
    if (!explicit) {
      return "no-explicit-freshness";
    }
    return null;
  }
}
