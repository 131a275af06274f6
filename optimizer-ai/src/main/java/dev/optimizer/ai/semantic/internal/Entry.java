package dev.optimizer.ai.semantic.internal;

/**
 * One cached text and its value in a scope, with its own decision threshold that feedback may raise
 * above the cache's. Fields other than the threshold are fixed once made.
 */
public final class Entry<V> {
  private final String text;
  private final String key;
  private final V value;
  private final long expiresAtNanos;
  private final long weightBytes;
  private volatile double raisedThreshold = Double.NEGATIVE_INFINITY;

  /**
   * A new entry; {@code expiresAtNanos} is a ticker reading, {@code weightBytes} what it holds
   * (texts, vector and value), for the cache's bound.
   */
  public Entry(String text, String key, V value, long expiresAtNanos, long weightBytes) {
    this.weightBytes = weightBytes;
    this.text = text;
    this.key = key;
    this.value = value;
    this.expiresAtNanos = expiresAtNanos;
  }

  /** The text as it was put. */
  public String text() {
    return text;
  }

  /** The normalised text: the entry's identity in its scope. */
  public String key() {
    return key;
  }

  /** The cached value. */
  public V value() {
    return value;
  }

  /** Approximate bytes the entry holds, its vector included. */
  public long weightBytes() {
    return weightBytes;
  }

  /** Whether the entry has expired at ticker reading {@code now}. */
  public boolean expired(long now) {
    return now - expiresAtNanos >= 0;
  }

  /** The threshold feedback has raised this entry's decisions to, or -infinity. */
  public double raisedThreshold() {
    return raisedThreshold;
  }

  /** Raises (never lowers) this entry's own threshold to {@code threshold}. */
  public synchronized void raiseThreshold(double threshold) {
    if (threshold > raisedThreshold) {
      raisedThreshold = threshold;
    }
  }
}
