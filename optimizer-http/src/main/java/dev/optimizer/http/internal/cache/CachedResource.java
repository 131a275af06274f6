package dev.optimizer.http.internal.cache;

import dev.optimizer.http.internal.HttpCall;
import java.util.ArrayList;
import java.util.List;

/**
 * The stored variants of one URI, most recent first (RFC 9111 §4.1 prefers the most recent of
 * several matches). Immutable: a store makes a new resource.
 */
public final class CachedResource {
  final List<StoredResponse> variants;
  final long weight;

  private CachedResource(List<StoredResponse> variants) {
    this.variants = variants;
    long w = 64;
    for (StoredResponse v : variants) {
      w += v.weight;
    }
    this.weight = w;
  }

  static CachedResource of(StoredResponse variant) {
    return new CachedResource(List.of(variant));
  }

  /** A resource of the given variants, most recent first; null if there are none. */
  static CachedResource ofAll(List<StoredResponse> variants) {
    return variants.isEmpty() ? null : new CachedResource(List.copyOf(variants));
  }

  /** The most recent variant the request selects, or null. */
  StoredResponse select(HttpCall call, String identityKey) {
    for (StoredResponse v : variants) {
      if (v.matches(call, identityKey)) {
        return v;
      }
    }
    return null;
  }

  /** This resource with {@code variant} first, replacing one of the same selector. */
  CachedResource with(StoredResponse variant, int maxVariants) {
    List<StoredResponse> next = new ArrayList<>(Math.min(maxVariants, variants.size() + 1));
    next.add(variant);
    for (StoredResponse v : variants) {
      if (next.size() >= maxVariants) {
        break;
      }
      if (!v.sameSelector(variant)) {
        next.add(v);
      }
    }
    return new CachedResource(List.copyOf(next));
  }

  /** This resource without {@code variant}, or null if none is left. */
  CachedResource without(StoredResponse variant) {
    List<StoredResponse> next = new ArrayList<>(variants);
    next.remove(variant);
    return next.isEmpty() ? null : new CachedResource(List.copyOf(next));
  }
}
