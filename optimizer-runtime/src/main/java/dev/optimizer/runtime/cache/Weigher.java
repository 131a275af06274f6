package dev.optimizer.runtime.cache;

/**
 * Estimates how many bytes an entry holds, so that a {@link TieredCache} can be bounded by memory
 * rather than by entry count. Called once when an entry is stored; must be fast, must not return a
 * negative number, and should count what the entry keeps alive (key, value, and the object headers,
 * roughly) rather than be exact.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
@FunctionalInterface
public interface Weigher<K, V> {

  /** Returns the approximate size of the entry in bytes, {@code >= 0}. */
  int weighBytes(K key, V value);
}
