package dev.optimizer.spring.boot.autoconfigure;

import java.net.URI;
import java.net.URISyntaxException;
import org.springframework.util.ClassUtils;

/**
 * Checks of the {@code *.remote.uri} properties, done when the module bean is built rather than
 * when the property binds: a bind failure makes Spring print the property's value, and a Redis URI
 * may carry a password. So no message here ever holds the URI, only what is wrong with it.
 */
final class RedisUris {
  /** The class the optimizer modules' Redis tiers are built on (Lettuce). */
  static final String REDIS_CLIENT = "io.lettuce.core.RedisClient";

  private RedisUris() {}

  /**
   * Checks that {@code uri} is a {@code redis://} or {@code rediss://} URI naming a host, as the
   * modules' {@code RemoteCacheSettings} builders require.
   *
   * @throws IllegalArgumentException naming the property and the fault, never the value
   */
  static void check(String property, String uri) {
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          property
              + " must be a redis:// or rediss:// URI (redis://host:port), but was not a URI"
              + " (value not shown: it may hold a password)");
    }
    String scheme = parsed.getScheme();
    if (scheme == null || !(scheme.equals("redis") || scheme.equals("rediss"))) {
      throw new IllegalArgumentException(
          property
              + " must be a redis:// or rediss:// URI (redis://host:port), but its scheme was "
              + (scheme == null ? "missing" : "'" + scheme + "'")
              + " (value not shown: it may hold a password)");
    }
    if (parsed.getHost() == null || parsed.getHost().isBlank()) {
      throw new IllegalArgumentException(
          property
              + " must name a host (redis://host:port), but named none"
              + " (value not shown: it may hold a password)");
    }
  }

  /**
   * Checks that Lettuce is on the application's class path; the message is the modules' own ("needs
   * the Redis client io.lettuce:lettuce-core (7.x) on the class path; add it as a dependency"), led
   * by the property that asked for Redis.
   *
   * @throws IllegalStateException when Lettuce is missing
   */
  static void requireClient(String property, ClassLoader classLoader) {
    if (!ClassUtils.isPresent(REDIS_CLIENT, classLoader)) {
      throw new IllegalStateException(
          property
              + " is set, so the Redis client io.lettuce:lettuce-core (7.x) is needed on the class"
              + " path; add it as a dependency, or remove "
              + property);
    }
  }

  /** A key prefix as the modules accept it: 1 to 200 characters, not blank. */
  static String keyPrefix(String property, String prefix) {
    if (prefix == null || prefix.isBlank()) {
      throw new IllegalArgumentException(property + " must not be blank");
    }
    if (prefix.length() > 200) {
      throw new IllegalArgumentException(
          property + " must be 1 to 200 characters long, but was " + prefix.length());
    }
    return prefix;
  }
}
