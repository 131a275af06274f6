package dev.optimizer.ai.semantic.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The embeddings of the last few looked-up texts, so that storing the answer to a missed lookup —
 * the usual next step — does not embed the same text a second time (an embedding is the slowest
 * part of both). Keyed by the exact text, since the model sees the exact text; bounded by count,
 * least recently used out first. Thread-safe.
 */
public final class RecentEmbeddings {
  private final Map<String, float[]> recent;

  /** Keeps at most {@code capacity} embeddings. */
  public RecentEmbeddings(int capacity) {
    this.recent =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, float[]> eldest) {
            return size() > capacity;
          }
        };
  }

  /** Remembers the embedding of {@code text}. */
  public synchronized void remember(String text, float[] vector) {
    recent.put(text, vector);
  }

  /** The embedding of {@code text} if it was remembered, forgetting it; null otherwise. */
  public synchronized float[] take(String text) {
    return recent.remove(text);
  }

  /** Forgets everything. */
  public synchronized void clear() {
    recent.clear();
  }
}
