package dev.optimizer.ai.chat.internal.cache;

/**
 * The exact-cache key of a chat request: the scope in clear, so that entries of two scopes differ
 * even if their digests ever collided, and the SHA-256 of the canonical request (provider, model,
 * every output-changing parameter, every message). Equal keys mean equal requests in one scope.
 *
 * @param scope the scope (tenant) the application supplied
 * @param provider the provider of the model asked (what a later tier needs to build its own key)
 * @param digest hex SHA-256 of the canonical encoding, scope included
 */
public record ChatKey(String scope, String provider, String digest) {
  @Override
  public String toString() {
    // The scope may identify a tenant: keep it out of logs and error messages.
    return "ChatKey{" + digest.substring(0, 12) + "…}";
  }
}
