package dev.optimizer.ai.semantic.internal;

import dev.optimizer.ai.inference.vector.QuantizedVectorIndex;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The entries of one scope: a map from normalised text to entry in least-recently-used order (the
 * exact tier and the size bound), and a vector index over the same entries (the semantic tier). One
 * per scope, so a search never sees another scope's entries. Methods are synchronized except the
 * vector scan of {@link #search}; the embedding, the guard and the verifier run outside.
 *
 * <p>Every entry's weight is added to a counter the whole cache shares, and taken off when the
 * entry goes, so that the cache can hold all its scopes to one bound in bytes.
 *
 * <p>Each key is held once: the map's key, the entry's and the vector index's id are the same
 * String (the index is built with {@link QuantizedVectorIndex.Builder#sharedIds()}; it would
 * otherwise keep a copy of every key's characters).
 *
 * <p>Removed and replaced vectors are reclaimed by the vector index itself ({@link
 * QuantizedVectorIndex} compacts once its dead slots outnumber the live ones), so churn under the
 * size bound does not grow memory.
 */
public final class ScopeIndex<V> implements AutoCloseable {

  /** A search result: the entry and its cosine similarity to the query. */
  public record Found<V>(Entry<V> entry, double similarity) {}

  private final int dimension;
  private final int maxEntries;
  private final AtomicLong cacheBytes;
  private final LinkedHashMap<String, Entry<V>> entries = new LinkedHashMap<>(16, 0.75f, true);
  private final QuantizedVectorIndex index;
  private boolean closed; // guarded by this
  private volatile long lastUsedNanos;

  /**
   * An empty scope for vectors of {@code dimension} floats, holding at most {@code maxEntries},
   * counting its entries' bytes in {@code cacheBytes}.
   */
  public ScopeIndex(int dimension, int maxEntries, long now, AtomicLong cacheBytes) {
    this.cacheBytes = cacheBytes;
    this.dimension = dimension;
    this.maxEntries = maxEntries;
    // The map holds each key already: the index holds the same String, not a copy of its bytes.
    this.index = QuantizedVectorIndex.builder(dimension).sharedIds().build();
    this.lastUsedNanos = now;
  }

  /** The vectors' dimension. */
  public int dimension() {
    return dimension;
  }

  /** The ticker reading of the last lookup or put. */
  public long lastUsedNanos() {
    return lastUsedNanos;
  }

  /** Returns the live entry with normalised text {@code key}, dropping it if expired. */
  public synchronized Entry<V> exact(String key, long now) {
    lastUsedNanos = now;
    Entry<V> e = entries.get(key);
    if (e != null && e.expired(now)) {
      remove(key);
      return null;
    }
    return e;
  }

  /**
   * The {@code k} live entries most similar to {@code vector} with at least {@code minSimilarity}.
   * The scan runs outside this scope's monitor (the index is itself thread-safe), so lookups in one
   * scope scan in parallel; a match whose entry was removed meanwhile is skipped.
   */
  public List<Found<V>> search(float[] vector, int k, double minSimilarity, long now) {
    QuantizedVectorIndex idx;
    synchronized (this) {
      lastUsedNanos = now;
      if (entries.isEmpty()) {
        return new ArrayList<>();
      }
      idx = index;
    }
    List<QuantizedVectorIndex.Match> matches = idx.search(vector, k, minSimilarity);
    List<Found<V>> out = new ArrayList<>(matches.size());
    synchronized (this) {
      for (QuantizedVectorIndex.Match m : matches) {
        Entry<V> e = entries.get(m.id());
        if (e == null) {
          continue;
        }
        if (e.expired(now)) {
          remove(m.id());
        } else {
          out.add(new Found<>(e, m.score()));
        }
      }
    }
    return out;
  }

  /**
   * Adds or replaces the entry of {@code entry.key()}, evicting the least recently used beyond the
   * bound.
   *
   * @return false, adding nothing, if this scope was closed (evicted or cleared from its cache
   *     after the caller found it): the caller puts into the scope's new index instead, so that no
   *     entry's bytes are counted in an index the cache no longer holds
   */
  public synchronized boolean put(Entry<V> entry, float[] vector, long now) {
    if (closed) {
      return false;
    }
    lastUsedNanos = now;
    Entry<V> replaced = entries.remove(entry.key());
    if (replaced != null) {
      cacheBytes.addAndGet(-replaced.weightBytes());
    }
    entries.put(entry.key(), entry);
    cacheBytes.addAndGet(entry.weightBytes());
    index.add(entry.key(), vector);
    Iterator<Map.Entry<String, Entry<V>>> it = entries.entrySet().iterator();
    while (entries.size() > maxEntries && it.hasNext()) {
      Map.Entry<String, Entry<V>> oldest = it.next();
      it.remove();
      cacheBytes.addAndGet(-oldest.getValue().weightBytes());
      index.remove(oldest.getKey());
    }
    return true;
  }

  /** Removes the least recently used entry; returns whether there was one. */
  public synchronized boolean evictOldest() {
    Iterator<String> it = entries.keySet().iterator();
    return it.hasNext() && remove(it.next());
  }

  /**
   * Removes the entry of {@code key} if it is {@code expected} (or any, when null); returns
   * whether.
   */
  public synchronized boolean remove(String key, Entry<V> expected) {
    Entry<V> e = entries.get(key);
    if (e == null || (expected != null && e != expected)) {
      return false;
    }
    return remove(key);
  }

  private boolean remove(String key) {
    Entry<V> removed = entries.remove(key);
    if (removed == null) {
      return false;
    }
    cacheBytes.addAndGet(-removed.weightBytes());
    index.remove(key);
    return true;
  }

  /** Marks {@code entry} as just used (for the least-recently-used bound), if it is still held. */
  public synchronized void touch(Entry<V> entry) {
    entries.get(entry.key());
  }

  /** The vector index, for tests. */
  QuantizedVectorIndex index() {
    return index;
  }

  /** The number of entries held (expired ones not yet dropped included). */
  public synchronized int size() {
    return entries.size();
  }

  /** Drops every entry and releases the index; a later {@link #put} is refused. Idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    for (Entry<V> e : entries.values()) {
      cacheBytes.addAndGet(-e.weightBytes());
    }
    entries.clear();
    index.close();
  }
}
