package dev.optimizer.http.internal.cache;

import dev.optimizer.runtime.cache.RemoteTier;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The remote tier of the HTTP cache as {@link CacheStep} sees it: the runtime's {@link RemoteTier}
 * plus a way to tell the other instances about invalidations (RFC 9111 §4.4), so that they drop the
 * targets from their in-process tiers too. An interface so that the step does not link against the
 * Redis client, an optional dependency.
 */
public interface SharedTier extends RemoteTier<String, CachedResource> {

  /**
   * Tells the other instances that the entries under {@code keys} are invalid. The future completes
   * once this instance's earlier writes and deletions of those keys have reached the remote store,
   * or after the command timeout; it never fails.
   */
  CompletableFuture<Void> announce(Collection<String> keys);

  /**
   * Sets what to do when another instance announces an invalidation of a key; called on the remote
   * client's thread, once, before the tier is used.
   */
  void onInvalidation(Consumer<String> listener);
}
