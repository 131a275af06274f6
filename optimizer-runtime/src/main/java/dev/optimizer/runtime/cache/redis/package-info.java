/**
 * The Redis plumbing the optimizer's cache tiers share: {@link
 * dev.optimizer.runtime.cache.redis.RedisTierSettings} (the checked URI, key prefix and command
 * timeout every tier's settings extend) and {@link dev.optimizer.runtime.cache.redis.RedisLink}
 * (the Lettuce client, its connections, pub/sub and reconnection). {@code RedisLink} needs {@code
 * io.lettuce:lettuce-core} on the class path, which the application brings when it wants a Redis
 * tier; the settings do not, so that a module's settings load without Lettuce.
 */
package dev.optimizer.runtime.cache.redis;
