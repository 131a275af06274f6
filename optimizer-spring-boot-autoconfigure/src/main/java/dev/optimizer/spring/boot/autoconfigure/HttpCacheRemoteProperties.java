package dev.optimizer.spring.boot.autoconfigure;

/**
 * {@code optimizer.http.cache.remote.*}: the Redis tier of the HTTP cache ({@code
 * dev.optimizer.http.RemoteCacheSettings}, same defaults and ranges), shared by every instance of a
 * fleet. Off while {@code uri} is unset; with it set, {@code io.lettuce:lettuce-core} must be on
 * the class path. Free of optimizer-http types, like {@link HttpProperties}. The shared properties
 * are in {@link RedisTierProperties}.
 */
public class HttpCacheRemoteProperties extends RedisTierProperties {
  private static final String P = "optimizer.http.cache.remote.";

  /**
   * Whether the private cache's per-identity responses (requests with credentials, responses marked
   * private) go to Redis too, still served only to the same identity; no effect in mode SHARED.
   * Default false: only responses any client could be given leave the process.
   */
  private boolean privateEntries = false;

  public HttpCacheRemoteProperties() {
    super(
        P,
        "optimizer:http:",
        P + "uri needs the cache: optimizer.http.cache.enabled=false was given together with it");
  }

  public boolean isPrivateEntries() {
    return privateEntries;
  }

  public void setPrivateEntries(boolean privateEntries) {
    this.privateEntries = privateEntries;
  }

  @Override
  String moreToString() {
    return ", privateEntries=" + privateEntries;
  }
}
