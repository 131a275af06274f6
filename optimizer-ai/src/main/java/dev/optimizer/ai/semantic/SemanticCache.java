package dev.optimizer.ai.semantic;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.optimizer.ai.internal.Recent;
import dev.optimizer.ai.semantic.internal.Entry;
import dev.optimizer.ai.semantic.internal.ScopeIndex;
import dev.optimizer.ai.semantic.internal.TextKey;
import dev.optimizer.api.Ticker;
import dev.optimizer.api.internal.Checks;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A cache keyed by meaning: a text looked up finds an entry put under another text that asks the
 * same thing, within the same scope.
 *
 * <pre>{@code
 * SemanticCache<String> cache = SemanticCache.builder(new AllMiniLmL6V2QuantizedEmbeddingModel()).build();
 * cache.put("tenant-1|You are a helpful assistant", "How do I learn Java quickly?", answer);
 * Optional<SemanticCache.Hit<String>> hit =
 *     cache.lookup("tenant-1|You are a helpful assistant", "What is the fastest way to learn Java?");
 * }</pre>
 *
 * <p>A lookup goes through three steps, cheapest first:
 *
 * <ol>
 *   <li><b>Scope.</b> Each scope (the caller composes it: tenant, system prompt, model...) has its
 *       own index; a lookup only ever searches its own scope's, so two scopes never share an entry.
 *   <li><b>Exact tier.</b> The same text after lower-casing and collapsing white space is a hit
 *       without computing an embedding ({@link Hit#exact()}).
 *   <li><b>Semantic tier.</b> The text is embedded and the {@linkplain SemanticCacheBuilder#topK
 *       top k} most similar entries (int8 vector search with exact rescoring) at or above the
 *       {@linkplain SemanticCacheBuilder#similarityThreshold similarity threshold} are scored by
 *       the {@link PrecisionGuard}; those whose score reaches the {@linkplain
 *       SemanticCacheBuilder#decisionThreshold decision threshold} and their entry's own threshold
 *       are offered, best score first, to the optional {@link Verifier}; the first it accepts is
 *       the hit.
 * </ol>
 *
 * <p>{@link #feedback} teaches an entry: a hit judged wrong raises that entry's own threshold above
 * the score that produced it (and evicts an exact-tier entry, whose value is then simply wrong), so
 * the same mistake is not served again while other entries keep the cache's threshold. Entries
 * expire after the {@linkplain SemanticCacheBuilder#ttl TTL} and each scope keeps at most
 * {@linkplain SemanticCacheBuilder#maxEntriesPerScope maxEntriesPerScope}, least recently used out
 * first.
 *
 * <p>Texts longer than {@linkplain SemanticCacheBuilder#maxTextChars maxTextChars} pass through:
 * never stored, never a hit. A blank text is an error. Thread-safe; {@link #close()} drops every
 * entry and releases the indexes, after which every method but {@code close} throws.
 *
 * @param <V> the cached values
 */
public final class SemanticCache<V> implements AutoCloseable {

  /** Raise applied above a wrong hit's score when feedback says it was wrong. */
  static final double FEEDBACK_MARGIN = 0.01;

  private final EmbeddingModel model;
  private final PrecisionGuard guard;
  private final Verifier verifier;
  private final double similarityThreshold;
  private final double decisionThreshold;
  private final int topK;
  private final int maxEntriesPerScope;
  private final int maxScopes;
  private final long maxBytes;
  private final AtomicLong bytes = new AtomicLong();
  private final long ttlNanos;
  private final int maxTextChars;
  private final Ticker ticker;
  private final Map<String, ScopeIndex<V>> scopes = new ConcurrentHashMap<>();
  // A miss is usually followed by a put of the same text: its embedding is kept for it.
  private final Recent<String, float[]> recentEmbeddings = new Recent<>(256);
  private final LongAdder exactHits = new LongAdder();
  private final LongAdder semanticHits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder guardRejections = new LongAdder();
  private final LongAdder verifierRejections = new LongAdder();
  private volatile boolean closed;

  SemanticCache(SemanticCacheBuilder b) {
    this.model = b.model;
    this.guard = b.guard;
    this.verifier = b.verifier;
    this.similarityThreshold = b.similarityThreshold;
    this.decisionThreshold = b.decisionThreshold;
    this.topK = b.topK;
    this.maxEntriesPerScope = b.maxEntriesPerScope;
    this.maxScopes = b.maxScopes;
    this.maxBytes = b.maxBytes;
    this.ttlNanos = b.ttl == null ? Long.MAX_VALUE : b.ttl.toNanos();
    this.maxTextChars = b.maxTextChars;
    this.ticker = b.ticker;
  }

  /** The settings' builder; see {@link SemanticCacheBuilder} for each setting and its default. */
  public static SemanticCacheBuilder builder(EmbeddingModel embeddingModel) {
    return new SemanticCacheBuilder(Checks.notNull("embeddingModel", embeddingModel));
  }

  /**
   * A served entry: its value, the text it was put under, the cosine similarity and the guard's
   * decision score (both 1 for an exact-tier hit). Pass it back to {@link #feedback}.
   */
  public static final class Hit<V> {
    private final Entry<V> entry;
    private final String scope;
    private final double similarity;
    private final double score;
    private final boolean exact;

    Hit(Entry<V> entry, String scope, double similarity, double score, boolean exact) {
      this.entry = entry;
      this.scope = scope;
      this.similarity = similarity;
      this.score = score;
      this.exact = exact;
    }

    /** The cached value. */
    public V value() {
      return entry.value();
    }

    /** The text the entry was put under. */
    public String matchedText() {
      return entry.text();
    }

    /** The cosine similarity of the lookup's and the entry's embeddings (1 for an exact hit). */
    public double similarity() {
      return similarity;
    }

    /** The guard's decision score (1 for an exact hit). */
    public double score() {
      return score;
    }

    /** Whether the exact tier served it (same normalised text). */
    public boolean exact() {
      return exact;
    }

    /** The figures of the hit; never its text, which is a user's prompt and may reach a log. */
    @Override
    public String toString() {
      return "Hit{matchedChars="
          + entry.text().length()
          + ", similarity="
          + similarity
          + ", score="
          + score
          + ", exact="
          + exact
          + "}";
    }
  }

  /**
   * One entry the search considered, for diagnostics and tuning ({@link #candidates}): its text,
   * similarity, guard score, whether it came from the exact tier and whether it passes the
   * thresholds (the verifier is not asked).
   */
  public record Candidate(
      String text, double similarity, double score, boolean exact, boolean accepted) {}

  /** Counters since the cache was built. */
  public record Stats(
      long exactHits,
      long semanticHits,
      long misses,
      long guardRejections,
      long verifierRejections,
      long entries,
      int scopes,
      long bytes) {}

  /**
   * Looks {@code text} up in {@code scope}.
   *
   * @return the hit, or empty when nothing in the scope answers the text (or it is over {@code
   *     maxTextChars})
   * @throws IllegalArgumentException if the text is blank
   * @throws IllegalStateException if the cache is closed
   */
  public Optional<Hit<V>> lookup(String scope, String text) {
    return find(scope, text, null);
  }

  /**
   * Returns what a lookup of {@code text} would weigh, best score first, without serving anything
   * or asking the verifier: the exact-tier entry if any, then the semantic candidates.
   */
  public List<Candidate> candidates(String scope, String text) {
    List<Candidate> out = new ArrayList<>();
    find(scope, text, out);
    return out;
  }

  private Optional<Hit<V>> find(String scope, String text, List<Candidate> explain) {
    checkOpen();
    Checks.notNull("scope", scope);
    Checks.notBlank("text", text);
    if (text.length() > maxTextChars) {
      return Optional.empty();
    }
    ScopeIndex<V> s = scopes.get(scope);
    long now = ticker.read();
    if (s == null) {
      return miss(explain);
    }
    String key = TextKey.of(text);
    Entry<V> e = s.exact(key, now);
    if (e != null) {
      if (explain != null) {
        explain.add(new Candidate(e.text(), 1, 1, true, true));
      } else {
        exactHits.increment();
        return Optional.of(new Hit<>(e, scope, 1, 1, true));
      }
    }
    if (s.size() == 0) {
      return miss(explain);
    }
    float[] vector = embed(text);
    recentEmbeddings.remember(text, vector);
    List<ScopeIndex.Found<V>> found = s.search(vector, topK, similarityThreshold, now);
    List<Scored<V>> scored = new ArrayList<>(found.size());
    for (ScopeIndex.Found<V> f : found) {
      if (f.entry() == e) {
        continue;
      }
      double score = guard.score(text, f.entry().text(), f.similarity());
      boolean ok =
          score >= decisionThreshold
              && score >= f.entry().raisedThreshold()
              && !Double.isNaN(score);
      scored.add(new Scored<>(f, score, ok));
    }
    scored.sort(Comparator.comparingDouble((Scored<V> x) -> x.score).reversed());
    if (explain != null) {
      for (Scored<V> x : scored) {
        explain.add(
            new Candidate(
                x.found.entry().text(), x.found.similarity(), x.score, false, x.accepted));
      }
      return Optional.empty();
    }
    boolean rejected = false;
    for (Scored<V> x : scored) {
      if (!x.accepted) {
        rejected = true;
        continue;
      }
      if (verifier != null && !verifier.verify(text, x.found.entry().text())) {
        verifierRejections.increment();
        continue;
      }
      s.touch(x.found.entry());
      semanticHits.increment();
      return Optional.of(new Hit<>(x.found.entry(), scope, x.found.similarity(), x.score, false));
    }
    if (rejected) {
      guardRejections.increment();
    }
    return miss(explain);
  }

  private record Scored<V>(ScopeIndex.Found<V> found, double score, boolean accepted) {}

  private Optional<Hit<V>> miss(List<Candidate> explain) {
    if (explain == null) {
      misses.increment();
    }
    return Optional.empty();
  }

  /**
   * Stores {@code value} under {@code text} in {@code scope}, replacing the entry of the same
   * normalised text. A text over {@code maxTextChars} is not stored.
   *
   * @throws IllegalArgumentException if the text is blank
   * @throws IllegalStateException if the cache is closed
   */
  public void put(String scope, String text, V value) {
    put(scope, text, value, estimatedBytes(value));
  }

  /**
   * Stores {@code value}, which holds about {@code valueBytes}, under {@code text} in {@code
   * scope}; see {@link #put(String, String, Object)}. Beyond {@code maxBytes} the least recently
   * used entries of the least recently used scopes go first.
   *
   * @throws IllegalArgumentException if the text is blank or {@code valueBytes} is negative
   * @throws IllegalStateException if the cache is closed
   */
  public void put(String scope, String text, V value, long valueBytes) {
    checkOpen();
    Checks.inRange("valueBytes", valueBytes, 0, Long.MAX_VALUE);
    Checks.notNull("scope", scope);
    Checks.notBlank("text", text);
    Checks.notNull("value", value);
    if (text.length() > maxTextChars) {
      return;
    }
    float[] remembered = recentEmbeddings.take(text);
    float[] vector = remembered != null ? remembered : embed(text);
    long now = ticker.read();
    long expires = ttlNanos == Long.MAX_VALUE ? now + Long.MAX_VALUE / 2 : now + ttlNanos;
    String key = TextKey.of(text);
    // The texts as UTF-16, the float vector and its int8 copy in the index, the value, overhead.
    long weight = 96 + 2L * (text.length() + key.length()) + 5L * vector.length + valueBytes;
    Entry<V> entry = new Entry<>(text, key, value, expires, weight);
    while (true) {
      ScopeIndex<V> s =
          scopes.computeIfAbsent(
              scope, k -> new ScopeIndex<>(vector.length, maxEntriesPerScope, now, bytes));
      if (vector.length != s.dimension()) {
        throw new IllegalStateException(
            "the embedding model returned "
                + vector.length
                + " dimensions, but the scope holds "
                + s.dimension());
      }
      if (s.put(entry, vector, now)) {
        break;
      }
      // Evicted or cleared since we found it: put into the scope's next index instead.
      scopes.remove(scope, s);
      checkOpen();
    }
    if (scopes.size() > maxScopes) {
      evictLeastRecentScope(scope);
    }
    evictOverBytes(scope);
  }

  /** Evicts least recently used entries, from the least recently used scopes, down to maxBytes. */
  private void evictOverBytes(String current) {
    while (bytes.get() > maxBytes) {
      String oldest = null;
      ScopeIndex<V> oldestScope = null;
      for (Map.Entry<String, ScopeIndex<V>> e : scopes.entrySet()) {
        ScopeIndex<V> s = e.getValue();
        if (s.size() > 0
            && (oldestScope == null || s.lastUsedNanos() - oldestScope.lastUsedNanos() < 0)) {
          oldest = e.getKey();
          oldestScope = s;
        }
      }
      if (oldestScope == null || !oldestScope.evictOldest()) {
        return;
      }
      if (oldestScope.size() == 0 && !oldest.equals(current)) {
        drop(oldest, oldestScope);
      }
    }
  }

  /**
   * Removes {@code scope}'s index if it is still {@code index}, and closes it, so that a put that
   * found it before the removal goes to a new index instead.
   */
  private void drop(String scope, ScopeIndex<V> index) {
    if (scopes.remove(scope, index)) {
      index.close();
    }
  }

  /** What a value holds when the caller does not say: strings and arrays by size, others 64. */
  private static long estimatedBytes(Object value) {
    if (value instanceof CharSequence cs) {
      return 40 + 2L * cs.length();
    }
    if (value instanceof byte[] b) {
      return 16 + b.length;
    }
    return 64;
  }

  private void evictLeastRecentScope(String keep) {
    String oldest = null;
    ScopeIndex<V> oldestIndex = null;
    long oldestAt = Long.MAX_VALUE;
    for (Map.Entry<String, ScopeIndex<V>> e : scopes.entrySet()) {
      long at = e.getValue().lastUsedNanos();
      if (!e.getKey().equals(keep) && (oldest == null || at - oldestAt < 0)) {
        oldest = e.getKey();
        oldestIndex = e.getValue();
        oldestAt = at;
      }
    }
    if (oldest != null) {
      drop(oldest, oldestIndex);
    }
  }

  /**
   * Removes the entry of {@code text} (normalised) from {@code scope}.
   *
   * @return whether there was one
   */
  public boolean evict(String scope, String text) {
    checkOpen();
    Checks.notNull("scope", scope);
    Checks.notNull("text", text);
    ScopeIndex<V> s = scopes.get(scope);
    return s != null && s.remove(TextKey.of(text), null);
  }

  /**
   * Tells the cache whether a hit it served was right. A wrong semantic hit raises the entry's own
   * threshold just above the hit's score (the entry then needs a closer match than that one); a
   * wrong exact hit evicts the entry, since its value is wrong for its own text. A right hit
   * changes nothing: it says nothing about matches the threshold held back.
   */
  public void feedback(Hit<V> hit, boolean correct) {
    checkOpen();
    Checks.notNull("hit", hit);
    if (correct) {
      return;
    }
    if (hit.exact) {
      ScopeIndex<V> s = scopes.get(hit.scope);
      if (s != null) {
        s.remove(hit.entry.key(), hit.entry);
      }
    } else {
      hit.entry.raiseThreshold(hit.score + FEEDBACK_MARGIN);
    }
  }

  /**
   * Removes every entry of every scope; the cache stays open.
   *
   * @throws IllegalStateException if the cache is closed
   */
  public void clear() {
    checkOpen();
    scopes.forEach(this::drop);
  }

  /** The counters and sizes now. */
  public Stats stats() {
    long entries = 0;
    for (ScopeIndex<V> s : scopes.values()) {
      entries += s.size();
    }
    return new Stats(
        exactHits.sum(),
        semanticHits.sum(),
        misses.sum(),
        guardRejections.sum(),
        verifierRejections.sum(),
        entries,
        scopes.size(),
        bytes.get());
  }

  private float[] embed(String text) {
    float[] v = model.embed(text).content().vector();
    if (v == null || v.length == 0) {
      throw new IllegalStateException("the embedding model returned an empty vector");
    }
    return v;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the semantic cache is closed");
    }
  }

  /** Drops every entry and releases the indexes; idempotent. */
  @Override
  public void close() {
    closed = true;
    for (ScopeIndex<V> s : scopes.values()) {
      s.close();
    }
    scopes.clear();
    recentEmbeddings.clear();
  }
}
