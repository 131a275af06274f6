package dev.optimizer.runtime.cache.redis;

import dev.optimizer.api.internal.Checks;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * What every Redis cache tier of the optimizer needs to reach its server: the URI, the prefix of
 * its keys and channel, and the limit of one command. The modules' public {@code
 * RemoteCacheSettings} extend it with their defaults and their own settings, so that the checks and
 * their messages are written once.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th></tr>
 *   <tr><td>uri</td><td>(required)</td><td>a {@code redis://} or {@code rediss://} URI naming a
 *       host</td></tr>
 *   <tr><td>keyPrefix</td><td>the module's</td><td>1 to 200 characters</td></tr>
 *   <tr><td>commandTimeout</td><td>50 ms</td><td>[1 ms, 10 s]</td></tr>
 * </table>
 *
 * <p>The URI may hold a password: it is never part of {@link #toString()} nor of an error message
 * (the user-info part is shown as {@code ***}). Immutable and thread-safe.
 */
public abstract class RedisTierSettings {
  /** The shortest command timeout accepted. */
  public static final Duration MIN_COMMAND_TIMEOUT = Duration.ofMillis(1);

  /** The longest command timeout accepted. */
  public static final Duration MAX_COMMAND_TIMEOUT = Duration.ofSeconds(10);

  /** The longest key prefix accepted, in characters. */
  public static final int MAX_KEY_PREFIX = 200;

  private final String uri;
  private final String keyPrefix;
  private final Duration commandTimeout;

  /** Takes the checked values of {@code builder}. */
  protected RedisTierSettings(Builder<?> builder) {
    this.uri = builder.uri;
    this.keyPrefix = builder.keyPrefix;
    this.commandTimeout = builder.commandTimeout;
  }

  /** The Redis server's URI (it may hold a password: never logged). */
  public final String uri() {
    return uri;
  }

  /** The prefix of every Redis key and channel the cache uses; fleets sharing data share it. */
  public final String keyPrefix() {
    return keyPrefix;
  }

  /** How long one Redis command may take before the cache goes on without it. */
  public final Duration commandTimeout() {
    return commandTimeout;
  }

  /** The pub/sub channel over which the instances sharing {@link #keyPrefix()} talk. */
  public final String channel() {
    return keyPrefix + "invalidations";
  }

  /**
   * The subclass's own settings for {@link #toString()}, each as {@code ", name=value"}; none by
   * default.
   */
  protected String moreToString() {
    return "";
  }

  @Override
  public final String toString() {
    return getClass().getSimpleName()
        + "{keyPrefix="
        + keyPrefix
        + ", commandTimeout="
        + commandTimeout
        + moreToString()
        + "}"; // never the URI: it may carry a password
  }

  /**
   * Builds a {@link RedisTierSettings} subclass; each setting is checked when given.
   *
   * @param <B> the subclass's builder, returned by each setter so that calls chain
   */
  public abstract static class Builder<B extends Builder<B>> {
    private final String uri;
    private String keyPrefix;
    private Duration commandTimeout = Duration.ofMillis(50);

    /**
     * Starts with the server at {@code uri} and the module's default key prefix.
     *
     * @throws IllegalArgumentException if the URI is blank, not a {@code redis://}/{@code
     *     rediss://} URI, or names no host
     */
    protected Builder(String uri, String defaultKeyPrefix) {
      String u = Checks.notBlank("remote uri", uri).trim();
      String scheme;
      String host;
      try {
        URI parsed = new URI(u);
        scheme = parsed.getScheme();
        host = parsed.getHost();
      } catch (URISyntaxException e) {
        scheme = null;
        host = null;
      }
      if (scheme == null || !(scheme.equals("redis") || scheme.equals("rediss"))) {
        throw new IllegalArgumentException(
            "remote uri must be a redis:// or rediss:// URI, but was '" + redact(u) + "'");
      }
      if (host == null || host.isBlank()) {
        // Caught here: the Redis client would refuse it only once the cache is half built.
        throw new IllegalArgumentException(
            "remote uri must name a host (redis://host:port), but was '" + redact(u) + "'");
      }
      this.uri = u;
      this.keyPrefix = checkKeyPrefix(defaultKeyPrefix);
    }

    private static String redact(String u) {
      int at = u.lastIndexOf('@');
      int scheme = u.indexOf("://");
      return at > 0 && scheme >= 0 && at > scheme
          ? u.substring(0, scheme + 3) + "***" + u.substring(at)
          : u;
    }

    private static String checkKeyPrefix(String prefix) {
      String p = Checks.notBlank("keyPrefix", prefix);
      Checks.inRange("keyPrefix length", p.length(), 1, MAX_KEY_PREFIX);
      return p;
    }

    /** The prefix of the cache's Redis keys and channel, 1 to 200 characters. */
    public final B keyPrefix(String prefix) {
      this.keyPrefix = checkKeyPrefix(prefix);
      return self();
    }

    /** The limit of one Redis command, in [1 ms, 10 s]; default 50 ms. */
    public final B commandTimeout(Duration timeout) {
      this.commandTimeout =
          Checks.inRange("commandTimeout", timeout, MIN_COMMAND_TIMEOUT, MAX_COMMAND_TIMEOUT);
      return self();
    }

    @SuppressWarnings("unchecked") // B is this builder's own class, by the class declaration
    private B self() {
      return (B) this;
    }
  }
}
