package dev.optimizer.ai.chat.internal.cache;

/**
 * The exact-cache key of a chat request: the scope in clear, so that entries of two scopes differ
 * even if their digests ever collided, and the SHA-256 of the canonical request (the model's
 * provider and endpoint, the model name, every output-changing parameter, every message). Equal
 * keys mean equal requests to one model in one scope.
 *
 * @param scope the scope (tenant) the application supplied
 * @param provider the identity of the model asked: its provider and endpoint, else instance ({@code
 *     ModelRef.cacheIdentity()}; what a later tier needs to build its own key)
 * @param digest hex SHA-256 of the canonical encoding, scope included
 */
public record ChatKey(String scope, String provider, String digest) {
  @Override
  public String toString() {
    // The scope may identify a tenant: keep it out of logs and error messages.
    return "ChatKey{" + digest.substring(0, 12) + "…}";
  }
}
