package dev.optimizer.http.internal.cache;

import dev.optimizer.http.internal.Futures;
import dev.optimizer.http.internal.HttpCall;
import dev.optimizer.http.internal.HttpStats;
import dev.optimizer.http.internal.Reply;
import dev.optimizer.http.internal.Step;
import dev.optimizer.runtime.cache.TieredCache;
import dev.optimizer.runtime.cache.TieredCacheBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The RFC 9111 cache as a pipeline step, over the runtime's {@link TieredCache} (bounded by bytes).
 *
 * <ul>
 *   <li>Freshness from s-maxage (shared), max-age, Expires, else the heuristic of §4.2.2 (10% of
 *       the time since Last-Modified, capped) where it is allowed; age per §4.2.3; {@code Age} on
 *       every response served from the cache.
 *   <li>Validation with ETag / Last-Modified; a 304 updates the stored fields (§4.3.4).
 *   <li>Several variants per URI, selected by {@code Vary}; {@code Vary: *} is never stored.
 *   <li>no-store, no-cache, private (shared mode), must-revalidate / proxy-revalidate / s-maxage,
 *       the request's max-age, min-fresh, max-stale, only-if-cached.
 *   <li>An unsafe request that succeeds invalidates its target and the same-origin Location and
 *       Content-Location (§4.4).
 *   <li>stale-while-revalidate and stale-if-error (RFC 5861).
 *   <li>In private mode entries are kept per identity: one user's response is never served to
 *       another. In shared mode the shared-cache rules apply (Authorization, s-maxage, private).
 * </ul>
 *
 * Requests the application made conditional itself, and requests with a Range, pass through.
 *
 * <p>With a {@link SharedTier} (Redis), a local miss asks it without blocking the caller; what it
 * holds is judged by the same rules as a local entry (age from the stored request and response
 * times). Stores and §4.4 invalidations reach it, and invalidations announced by other instances
 * drop local entries. Thread-safe.
 */
public final class CacheStep implements Step {
  private static final System.Logger LOG = System.getLogger(CacheStep.class.getName());
  private static final Set<Integer> ERROR_STATUSES = Set.of(500, 502, 503, 504);

  /** The request fields that make a GET conditional (RFC 9110 §13.1), all beginning with "if-". */
  private static final String[] CONDITIONAL = {
    "if-none-match", "if-modified-since", "if-match", "if-unmodified-since", "if-range"
  };

  private final TieredCache<String, CachedResource> store;
  private final boolean shared;
  private final int maxVariants;
  private final long heuristicCapMillis;
  private final Clock clock;
  private final HttpStats stats;
  private final Set<String> revalidating = ConcurrentHashMap.newKeySet();
  private final SharedTier remote;

  /**
   * A cache step.
   *
   * @param maxBytes the bound of the store, by the bytes of bodies and fields
   * @param maxRetention how long an entry may be kept at all (for validation and stale-if-error)
   * @param remote the tier shared with other instances, or null
   * @param remoteTimeout how long a read waits for {@code remote} before it counts as a miss
   */
  public CacheStep(
      boolean shared,
      long maxBytes,
      Duration maxRetention,
      int maxVariants,
      Duration heuristicCap,
      Clock clock,
      HttpStats stats,
      SharedTier remote,
      Duration remoteTimeout) {
    this.shared = shared;
    this.maxVariants = maxVariants;
    this.heuristicCapMillis = heuristicCap.toMillis();
    this.clock = clock;
    this.stats = stats;
    this.remote = remote;
    TieredCacheBuilder<String, CachedResource> b =
        TieredCache.<String, CachedResource>builder()
            .name("optimizer-http")
            .weigher(
                (key, resource) ->
                    (int) Math.min(Integer.MAX_VALUE, key.length() * 2L + resource.weight))
            .maximumWeightBytes(maxBytes)
            .expireAfterWrite(maxRetention);
    if (remote != null) {
      b.remoteTier(remote).remoteTimeout(remoteTimeout);
    }
    this.store = b.build();
    if (remote != null) {
      // Another instance's §4.4 invalidation: drop the entry here too (the tier skips the Redis
      // deletion that the announcing instance made already).
      remote.onInvalidation(store::invalidate);
    }
  }

  /** The underlying store (for telemetry). */
  public TieredCache<String, CachedResource> store() {
    return store;
  }

  @Override
  public CompletableFuture<Reply> apply(HttpCall call, Chain next) {
    if (!"GET".equals(call.method())) {
      if (call.isSafe()) {
        return next.proceed(call);
      }
      CompletableFuture<Reply> sent = next.proceed(call);
      return cancelling(sent.thenCompose(reply -> invalidateAfter(call, reply)), sent);
    }
    HttpHeaders h = call.headers();
    if (isConditionalOrRange(h)) {
      return next.proceed(call);
    }
    CacheControl requestCc = CacheControl.of(h, true);
    String key = key(call.uri());
    String identityKey = shared ? "" : call.identity();
    // The local tier answers at once; a local miss asks the remote tier, if any, without blocking.
    CompletableFuture<CachedResource> found = store.getIfPresentAsync(key);
    if (found.isDone()) {
      return lookedUp(call, next, key, identityKey, requestCc, found.getNow(null));
    }
    // Not thenCompose: cancelling its result would not reach the request started after the lookup.
    CompletableFuture<Reply> result = new CompletableFuture<>();
    found.whenComplete(
        (resource, error) -> {
          if (result.isDone()) {
            return; // cancelled during the lookup: nothing to send
          }
          CompletableFuture<Reply> answer;
          try {
            answer =
                lookedUp(call, next, key, identityKey, requestCc, error == null ? resource : null);
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
          }
          Futures.follow(answer, result);
        });
    return result;
  }

  /**
   * {@code derived}, made to cancel {@code sent} when it is cancelled. A future made by thenApply
   * and the like does not reach back to its source, and a step must cancel what it started when the
   * future it returns is cancelled: else the request goes on, and is retried, for a caller that has
   * left.
   */
  private static CompletableFuture<Reply> cancelling(
      CompletableFuture<Reply> derived, CompletableFuture<Reply> sent) {
    Futures.propagateCancel(derived, sent);
    return derived;
  }

  /**
   * Whether the request is conditional or asks for a range: such requests go to the origin as they
   * are. One pass over the request's few fields, rather than a case-insensitive lookup for each of
   * the six names, which was a measurable part of every GET's cost.
   */
  static boolean isConditionalOrRange(HttpHeaders headers) {
    for (Map.Entry<String, List<String>> field : headers.map().entrySet()) {
      String name = field.getKey();
      if (field.getValue().isEmpty()) {
        continue;
      }
      if (name.regionMatches(true, 0, "if-", 0, 3)) {
        for (String conditional : CONDITIONAL) {
          if (name.equalsIgnoreCase(conditional)) {
            return true;
          }
        }
      } else if (name.equalsIgnoreCase("range")) {
        return true;
      }
    }
    return false;
  }

  private CompletableFuture<Reply> lookedUp(
      HttpCall call,
      Chain next,
      String key,
      String identityKey,
      CacheControl requestCc,
      CachedResource resource) {
    StoredResponse variant = resource == null ? null : resource.select(call, identityKey);
    long now = clock.millis();
    if (variant != null) {
      long age = variant.currentAgeMillis(now);
      long lifetime = variant.lifetimeMillis;
      CacheControl cc = variant.directives;
      boolean mustValidate = requestCc.has("no-cache") || cc.has("no-cache");
      boolean mayServeStale =
          !cc.has("must-revalidate")
              && !(shared && (cc.has("proxy-revalidate") || cc.has("s-maxage")))
              && !cc.has("no-cache");
      if (!mustValidate && acceptable(requestCc, age, lifetime, mayServeStale)) {
        stats.cacheHits.increment();
        return CompletableFuture.completedFuture(variant.served(now, Reply.Source.CACHE));
      }
      long staleness = age - lifetime;
      long swr = cc.seconds("stale-while-revalidate");
      if (!mustValidate
          && mayServeStale
          && staleness > 0
          && swr >= 0
          && staleness <= swr * 1000
          && requestTakesStale(requestCc, age, staleness)) {
        stats.staleWhileRevalidate.increment();
        revalidateInBackground(call, key, identityKey, variant, next);
        return CompletableFuture.completedFuture(
            variant.served(now, Reply.Source.STALE_WHILE_REVALIDATE));
      }
      if (requestCc.has("only-if-cached")) {
        return CompletableFuture.completedFuture(gatewayTimeout(call, now));
      }
      stats.revalidations.increment();
      return validate(call, key, variant, requestCc, next, mayServeStale);
    }
    if (requestCc.has("only-if-cached")) {
      return CompletableFuture.completedFuture(gatewayTimeout(call, now));
    }
    stats.cacheMisses.increment();
    CompletableFuture<Reply> sent = next.proceed(call);
    return cancelling(
        sent.thenApply(reply -> maybeStore(call, key, requestCc, reply, resource)), sent);
  }

  /** Whether a stored response of this age may answer the request without contacting the origin. */
  private static boolean acceptable(
      CacheControl requestCc, long age, long lifetime, boolean mayServeStale) {
    if (requestCc.isEmpty()) {
      return age < lifetime;
    }
    if (!withinMaxAgeAndMinFresh(requestCc, age, lifetime)) {
      return false;
    }
    if (age < lifetime) {
      return true;
    }
    return requestCc.has("max-stale") && mayServeStale && withinMaxStale(requestCc, age - lifetime);
  }

  /** The request's max-age and min-fresh (§5.2.1.1, §5.2.1.3), for a response of this age. */
  private static boolean withinMaxAgeAndMinFresh(CacheControl requestCc, long age, long lifetime) {
    long maxAge = requestCc.seconds("max-age");
    if (maxAge >= 0 && age > maxAge * 1000) {
      return false;
    }
    long minFresh = requestCc.seconds("min-fresh");
    return minFresh < 0 || lifetime - age >= minFresh * 1000;
  }

  /**
   * The request's max-stale bound (§5.2.1.2), if it gives one: "max-stale" without a value, or none
   * at all, sets no bound here (whether stale is accepted at all is the caller's question).
   */
  private static boolean withinMaxStale(CacheControl requestCc, long staleness) {
    String bound = requestCc.argument("max-stale");
    return bound == null || bound.isEmpty() || staleness <= requestCc.seconds("max-stale") * 1000;
  }

  /**
   * Whether the request's own directives let a stale response answer it while it is revalidated.
   * The origin's stale-while-revalidate permits serving stale, but a client that set max-age (with
   * no max-stale, it "does not wish to receive a stale response", RFC 9111 §5.2.1.1), min-fresh (a
   * stale response is never fresh for a while yet) or a max-stale bound asked for something newer
   * than that: such a request waits for the validation, as it does without stale-while-revalidate.
   */
  private static boolean requestTakesStale(CacheControl requestCc, long age, long staleness) {
    if (requestCc.isEmpty()) {
      return true;
    }
    return withinMaxAgeAndMinFresh(requestCc, age, age - staleness)
        && withinMaxStale(requestCc, staleness);
  }

  private CompletableFuture<Reply> validate(
      HttpCall call,
      String key,
      StoredResponse variant,
      CacheControl requestCc,
      Chain next,
      boolean mayServeStale) {
    HttpCall conditional = conditional(call, variant);
    CompletableFuture<Reply> sent = next.proceed(conditional);
    return cancelling(
        sent.handle(
            (reply, error) -> {
              if (error == null && reply.status() == 304 && conditional != call) {
                stats.notModified.increment();
                long now = clock.millis();
                StoredResponse updated = variant.updatedBy(reply, shared, heuristicCapMillis, now);
                replace(key, variant, updated);
                return updated.served(now, Reply.Source.REVALIDATED);
              }
              if (isError(reply, error) && staleIfErrorAllows(variant, requestCc, mayServeStale)) {
                stats.staleIfError.increment();
                if (reply != null) {
                  reply.discard();
                }
                return variant.served(clock.millis(), Reply.Source.STALE_IF_ERROR);
              }
              if (error != null) {
                throw error instanceof CompletionException ce ? ce : new CompletionException(error);
              }
              return maybeStore(call, key, requestCc, reply, null);
            }),
        sent);
  }

  private boolean staleIfErrorAllows(
      StoredResponse variant, CacheControl requestCc, boolean mayServeStale) {
    if (!mayServeStale) {
      return false;
    }
    long staleness = variant.currentAgeMillis(clock.millis()) - variant.lifetimeMillis;
    long allowed =
        Math.max(variant.directives.seconds("stale-if-error"), requestCc.seconds("stale-if-error"));
    return allowed >= 0 && staleness <= allowed * 1000;
  }

  private static boolean isError(Reply reply, Throwable error) {
    if (error != null) {
      Throwable cause =
          error instanceof CompletionException && error.getCause() != null
              ? error.getCause()
              : error;
      return cause instanceof IOException;
    }
    return ERROR_STATUSES.contains(reply.status());
  }

  private void revalidateInBackground(
      HttpCall call, String key, String identityKey, StoredResponse variant, Chain next) {
    String flight = key + '\u0000' + identityKey + '\u0000' + variant.varyValues;
    if (!revalidating.add(flight)) {
      return;
    }
    CachedResource current = store.getIfPresentLocally(key);
    if (current != null && !current.variants.contains(variant)) {
      // The stale variant this request read was replaced since: a revalidation stored its answer
      // and ended between our read and our claim on the flight. Nothing is left to refresh.
      revalidating.remove(flight);
      return;
    }
    CompletableFuture<Reply> background;
    try {
      background = validate(call, key, variant, CacheControl.EMPTY, next, false);
    } catch (RuntimeException e) {
      revalidating.remove(flight);
      return;
    }
    background.whenComplete(
        (r, e) -> {
          revalidating.remove(flight);
          if (r != null) {
            r.discard(); // nobody reads a background answer: an unread body would hold its
            // connection
          }
          if (e != null) {
            LOG.log(System.Logger.Level.DEBUG, "background revalidation of " + key + " failed", e);
          }
        });
  }

  private static HttpCall conditional(HttpCall call, StoredResponse variant) {
    if (!variant.hasValidators()) {
      return call;
    }
    Map<String, String> extra = new LinkedHashMap<>();
    if (variant.etag != null) {
      extra.put("if-none-match", variant.etag);
    }
    if (variant.lastModified != null) {
      extra.put("if-modified-since", variant.lastModified);
    }
    return call.withExtraHeaders(extra);
  }

  /**
   * Stores a response the policy allows, as a variant of what the local tier holds for the key (or,
   * without one, of {@code seen}: what the lookup found, possibly in the remote tier). Reads only
   * the local tier: this runs on the thread that completed the response.
   */
  private Reply maybeStore(
      HttpCall call, String key, CacheControl requestCc, Reply reply, CachedResource seen) {
    if (reply.source() != Reply.Source.NETWORK || reply.isUnread()) {
      return reply; // already a cache's answer (a coalesced caller's copy), or never buffered
    }
    CacheControl responseCc = CacheControl.of(reply.headers(), false);
    if (CachePolicy.refusal(call, reply, requestCc, responseCc, shared) != null) {
      return reply;
    }
    String identityKey = shared ? "" : call.identity();
    List<String> vary = StoredResponse.varyNames(reply.headers());
    StoredResponse variant =
        new StoredResponse(
            reply,
            identityKey,
            StoredResponse.selectingValues(call, vary),
            shared,
            heuristicCapMillis);
    boolean useful =
        variant.lifetimeMillis > 0
            || variant.hasValidators()
            || responseCc.seconds("stale-if-error") > 0;
    if (!useful) {
      return reply;
    }
    CachedResource current = store.getIfPresentLocally(key);
    if (current == null) {
      current = seen;
    }
    store.put(
        key, current == null ? CachedResource.of(variant) : current.with(variant, maxVariants));
    stats.stores.increment();
    return reply;
  }

  private void replace(String key, StoredResponse old, StoredResponse updated) {
    CachedResource current = store.getIfPresentLocally(key);
    if (current == null) {
      store.put(key, CachedResource.of(updated));
      return;
    }
    store.put(key, current.with(updated, maxVariants));
    if (!current.variants.contains(old)) {
      LOG.log(System.Logger.Level.TRACE, "variant of " + key + " replaced concurrently");
    }
  }

  /**
   * §4.4: a non-error answer to an unsafe request invalidates the URIs it names, here and, before
   * the answer is returned (waiting at most the remote timeout), in the remote tier and the other
   * instances' local tiers.
   */
  private CompletableFuture<Reply> invalidateAfter(HttpCall call, Reply reply) {
    if (reply.status() < 200 || reply.status() >= 400) {
      return CompletableFuture.completedFuture(reply);
    }
    List<String> keys = new ArrayList<>(3);
    keys.add(key(call.uri()));
    for (String field : List.of("location", "content-location")) {
      reply
          .headers()
          .firstValue(field)
          .ifPresent(
              value -> {
                try {
                  URI target = call.uri().resolve(value.trim());
                  if (sameOrigin(call.uri(), target) && !keys.contains(key(target))) {
                    keys.add(key(target));
                  }
                } catch (IllegalArgumentException e) {
                  // A malformed reference names nothing we hold.
                }
              });
    }
    for (String key : keys) {
      store.invalidate(key);
      stats.invalidations.increment();
    }
    if (remote == null) {
      return CompletableFuture.completedFuture(reply);
    }
    return remote.announce(keys).thenApply(ignored -> reply);
  }

  private static boolean sameOrigin(URI a, URI b) {
    return a.getScheme() != null
        && a.getScheme().equalsIgnoreCase(b.getScheme())
        && a.getHost() != null
        && a.getHost().equalsIgnoreCase(b.getHost())
        && HttpCall.port(a) == HttpCall.port(b);
  }

  private static Reply gatewayTimeout(HttpCall call, long now) {
    return new Reply(
        504,
        HttpHeaders.of(Map.of("content-length", List.of("0")), (a, b) -> true),
        new byte[0],
        HttpClient.Version.HTTP_1_1,
        call.uri(),
        now,
        now,
        Reply.Source.SYNTHETIC);
  }

  /** The cache key of a URI: without its fragment. */
  static String key(URI uri) {
    String s = uri.toString();
    int hash = s.indexOf('#');
    return hash < 0 ? s : s.substring(0, hash);
  }
}
