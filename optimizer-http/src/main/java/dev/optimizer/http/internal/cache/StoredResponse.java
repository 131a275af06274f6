package dev.optimizer.http.internal.cache;

import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.HttpDates;
import dev.optimizer.http.internal.Reply;
import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One stored response (a variant of a resource): the response, the request header values that
 * selected it ({@code Vary}), the identity it was stored for, and what RFC 9111 §4.2 needs to
 * compute its age and freshness, worked out once when it is stored so that a hit is arithmetic.
 * Immutable.
 */
final class StoredResponse {
  /** Fields a 304 must not change in the stored response (RFC 9111 §3.2). */
  private static final Set<String> NOT_UPDATED =
      Set.of("content-length", "content-encoding", "transfer-encoding", "content-range");

  final Reply reply;
  final String identity;
  final Map<String, String> varyValues;
  final CacheControl directives;
  final long correctedInitialAgeMillis;
  final long responseTimeMillis;
  final long lifetimeMillis;
  final String etag;
  final String lastModified;
  final long weight;
  private volatile AgeHeaders memo;

  private record AgeHeaders(long ageSeconds, HttpHeaders headers) {}

  StoredResponse(
      Reply reply,
      String identity,
      Map<String, String> varyValues,
      boolean shared,
      long heuristicCapMillis) {
    this.reply = reply.withoutNativeResponse();
    this.identity = identity;
    this.varyValues = varyValues;
    HttpHeaders h = reply.headers();
    this.directives = CacheControl.of(h, false);
    this.responseTimeMillis = reply.responseTimeMillis();
    long date = HttpDates.parse(h.firstValue("date").orElse(null));
    long dateValue = date == Long.MIN_VALUE ? reply.responseTimeMillis() : date;
    // RFC 9111 §4.2.3
    long ageValue = Math.max(0, new CacheControlAge(h.firstValue("age").orElse(null)).millis);
    long apparentAge = Math.max(0, reply.responseTimeMillis() - dateValue);
    long responseDelay = Math.max(0, reply.responseTimeMillis() - reply.requestTimeMillis());
    long correctedAgeValue = ageValue + responseDelay;
    this.correctedInitialAgeMillis = Math.max(apparentAge, correctedAgeValue);
    this.lifetimeMillis =
        lifetime(h, directives, dateValue, reply.status(), shared, heuristicCapMillis);
    this.etag = h.firstValue("etag").orElse(null);
    this.lastModified = h.firstValue("last-modified").orElse(null);
    long w = 256 + reply.body().length;
    for (Map.Entry<String, List<String>> e : h.map().entrySet()) {
      for (String v : e.getValue()) {
        w += 32 + e.getKey().length() + v.length();
      }
    }
    this.weight = w;
  }

  /** Freshness lifetime (RFC 9111 §4.2.1), with the heuristic of §4.2.2 where it is allowed. */
  static long lifetime(
      HttpHeaders h,
      CacheControl cc,
      long dateValue,
      int status,
      boolean shared,
      long heuristicCapMillis) {
    if (shared && cc.has("s-maxage")) {
      return cc.seconds("s-maxage") * 1000;
    }
    if (cc.has("max-age")) {
      return cc.seconds("max-age") * 1000;
    }
    if (h.firstValue("expires").isPresent()) {
      long expires = HttpDates.parse(h.firstValue("expires").get());
      // An invalid Expires (such as "0") means already expired (§5.3).
      return expires == Long.MIN_VALUE ? 0 : Math.max(0, expires - dateValue);
    }
    if (heuristicAllowed(status, cc)) {
      long lastModified = HttpDates.parse(h.firstValue("last-modified").orElse(null));
      if (lastModified != Long.MIN_VALUE && lastModified < dateValue) {
        return Math.min(heuristicCapMillis, (dateValue - lastModified) / 10);
      }
    }
    return 0;
  }

  /** §4.2.2: only for heuristically cacheable status codes, or responses marked public. */
  static boolean heuristicAllowed(int status, CacheControl cc) {
    return CachePolicy.HEURISTICALLY_CACHEABLE.contains(status) || cc.has("public");
  }

  /** current_age (RFC 9111 §4.2.3) at a wall-clock time. */
  long currentAgeMillis(long nowMillis) {
    return correctedInitialAgeMillis + Math.max(0, nowMillis - responseTimeMillis);
  }

  /**
   * How much longer this variant may be kept by a store other instances read (Redis): the rest of
   * its freshness lifetime plus the stale-while-revalidate or stale-if-error window it may still be
   * served in; zero or less when it is past both. A variant that may not be served stale gets no
   * window.
   */
  long remainingUseMillis(long nowMillis, boolean shared) {
    long remaining = lifetimeMillis - currentAgeMillis(nowMillis);
    boolean mayServeStale =
        !directives.has("must-revalidate")
            && !directives.has("no-cache")
            && !(shared && (directives.has("proxy-revalidate") || directives.has("s-maxage")));
    if (!mayServeStale) {
      return remaining;
    }
    long window =
        Math.max(
            0,
            Math.max(
                directives.seconds("stale-while-revalidate"),
                directives.seconds("stale-if-error")));
    long windowMillis = Math.min(window, Long.MAX_VALUE / 4000) * 1000;
    return remaining > Long.MAX_VALUE - windowMillis ? Long.MAX_VALUE : remaining + windowMillis;
  }

  /** Whether any client could be given this variant: stored without credentials, not private. */
  boolean anonymous() {
    return identity.isEmpty() && !directives.has("private");
  }

  boolean hasValidators() {
    return etag != null || lastModified != null;
  }

  /** Whether this variant was stored for the request's identity and Vary selecting values. */
  boolean matches(HttpCall call, String identityKey) {
    if (!identity.equals(identityKey)) {
      return false;
    }
    for (Map.Entry<String, String> e : varyValues.entrySet()) {
      String value = normalized(call.headers().allValues(e.getKey()));
      if (!java.util.Objects.equals(value, e.getValue())) {
        return false;
      }
    }
    return true;
  }

  /** Whether two variants are selected by the same request values (one replaces the other). */
  boolean sameSelector(StoredResponse other) {
    return identity.equals(other.identity) && varyValues.equals(other.varyValues);
  }

  /** The response to hand out as a hit: the stored one with an {@code Age} field (§5.1). */
  Reply served(long nowMillis, Reply.Source source) {
    long ageSeconds = currentAgeMillis(nowMillis) / 1000;
    AgeHeaders m = memo;
    if (m == null || m.ageSeconds != ageSeconds) {
      Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      copy.putAll(reply.headers().map());
      copy.put("age", List.of(Long.toString(ageSeconds)));
      m = new AgeHeaders(ageSeconds, HttpHeaders.of(copy, (a, b) -> true));
      memo = m;
    }
    return reply.with(m.headers, source);
  }

  /**
   * This variant updated by a 304 (§4.3.4): the 304's fields replace the stored ones of the same
   * name, except those §3.2 keeps, and a 304 without a Date replaces the stored Date with the time
   * it arrived; the age is counted from the validation. The result is ready to be {@linkplain
   * #served served} at {@code nowMillis}: its header fields with that Age are made from the same
   * merged fields, rather than copied once more from the stored response's.
   */
  StoredResponse updatedBy(
      Reply notModified, boolean shared, long heuristicCapMillis, long nowMillis) {
    Map<String, List<String>> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    fields.putAll(reply.headers().map());
    for (Map.Entry<String, List<String>> e : notModified.headers().map().entrySet()) {
      String name = e.getKey().toLowerCase(Locale.ROOT);
      if (!NOT_UPDATED.contains(name)) {
        fields.put(name, e.getValue());
      }
    }
    if (fields.containsKey("date") && notModified.headers().firstValue("date").isEmpty()) {
      // A 304 without a Date (RFC 9110 §6.6.1 has its recipient append one: the time it arrived).
      // The stored Date kept instead would count the time since the first response as age again,
      // leaving the validated response stale at once: every request would revalidate.
      fields.put("date", List.of(HttpDates.format(notModified.responseTimeMillis())));
    }
    Reply merged =
        new Reply(
            reply.status(),
            HttpHeaders.of(fields, (a, b) -> true),
            reply.body(),
            reply.version(),
            reply.uri(),
            notModified.requestTimeMillis(),
            notModified.responseTimeMillis(),
            Reply.Source.REVALIDATED);
    StoredResponse updated =
        new StoredResponse(merged, identity, varyValues, shared, heuristicCapMillis);
    // HttpHeaders.of copied the fields: the map may take the Age now (as served() would put it).
    long ageSeconds = updated.currentAgeMillis(nowMillis) / 1000;
    fields.put("age", List.of(Long.toString(ageSeconds)));
    updated.memo = new AgeHeaders(ageSeconds, HttpHeaders.of(fields, (a, b) -> true));
    return updated;
  }

  /** The Vary selecting values of a request, for the names a response's Vary lists. */
  static Map<String, String> selectingValues(HttpCall call, List<String> varyNames) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String name : varyNames) {
      values.put(name, normalized(call.headers().allValues(name)));
    }
    return values;
  }

  /** The names a Vary field lists, lower case; a list holding "*" for Vary: *. */
  static List<String> varyNames(HttpHeaders h) {
    List<String> names = new ArrayList<>();
    for (String value : h.allValues("vary")) {
      for (String name : value.split(",")) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (!n.isEmpty() && !names.contains(n)) {
          names.add(n);
        }
      }
    }
    return names;
  }

  /** Several field lines of one name combine as one comma-separated value (RFC 9110 §5.3). */
  private static String normalized(List<String> values) {
    if (values.isEmpty()) {
      return null;
    }
    if (values.size() == 1) {
      return values.get(0).trim();
    }
    StringBuilder sb = new StringBuilder();
    for (String v : values) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(v.trim());
    }
    return sb.toString();
  }

  /** The Age field's value (§5.1): a non-negative integer of seconds; anything else reads as 0. */
  private static final class CacheControlAge {
    final long millis;

    CacheControlAge(String value) {
      long v = 0;
      if (value != null) {
        String t = value.trim();
        for (int i = 0; i < t.length(); i++) {
          char c = t.charAt(i);
          if (c < '0' || c > '9') {
            v = 0;
            break;
          }
          v = Math.min(2_147_483_648L, v * 10 + (c - '0'));
        }
      }
      this.millis = v * 1000;
    }
  }
}
