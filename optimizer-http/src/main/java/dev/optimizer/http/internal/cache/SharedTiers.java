package dev.optimizer.http.internal.cache;

import dev.optimizer.http.RemoteCacheSettings;
import dev.optimizer.http.internal.HttpStats;
import java.time.Clock;
import java.time.Duration;

/** Makes the cache's remote tier; the only way in, so that Redis classes load only when used. */
public final class SharedTiers {
  private SharedTiers() {}

  /** Whether the Redis client (Lettuce) is on the class path. */
  public static boolean redisClientPresent() {
    try {
      Class.forName("io.lettuce.core.RedisClient", false, SharedTiers.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** A Redis tier; it starts connecting in the background at once. */
  public static SharedTier redis(
      RemoteCacheSettings settings,
      boolean shared,
      Duration heuristicCap,
      Clock clock,
      HttpStats stats,
      String name) {
    return new RedisTier(settings, shared, heuristicCap.toMillis(), clock, stats, name);
  }
}
