package dev.optimizer.spring.boot.autoconfigure;

/**
 * {@code optimizer.db.result-cache.remote.*}: the Redis tier of the query result cache ({@code
 * dev.optimizer.db.cache.RemoteCacheSettings}, same defaults and ranges), shared by every instance
 * of a fleet, which also tell each other about their writes over it. Off while {@code uri} is
 * unset; with it set, {@code io.lettuce:lettuce-core} must be on the class path and {@code
 * optimizer.db.result-cache.enabled} true. The properties are those of {@link RedisTierProperties}.
 */
public class ResultCacheRemoteProperties extends RedisTierProperties {
  private static final String P = "optimizer.db.result-cache.remote.";

  public ResultCacheRemoteProperties() {
    super(
        P,
        "optimizer:rc:",
        P
            + "uri needs the result cache: set optimizer.db.result-cache.enabled=true (with a"
            + " rule), or remove "
            + P
            + "uri");
  }
}
