package dev.optimizer.ai.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last few values handed from one step to a later one (a lookup's embedding to the put that
 * follows it, a served hit to the feedback about it): remembered, then taken once. Bounded by
 * count, least recently used out first, so values nobody takes cost nothing lasting. Thread-safe.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public final class Recent<K, V> {
  private final Map<K, V> values;

  /** Keeps at most {@code capacity} values. */
  public Recent(int capacity) {
    this.values =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
            return size() > capacity;
          }
        };
  }

  /** Remembers {@code value} under {@code key}, replacing what was there. */
  public synchronized void remember(K key, V value) {
    values.put(key, value);
  }

  /** The value remembered under {@code key}, forgetting it; null if there is none. */
  public synchronized V take(K key) {
    return values.remove(key);
  }

  /** Forgets everything. */
  public synchronized void clear() {
    values.clear();
  }
}
