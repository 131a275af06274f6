package dev.optimizer.ai.inference.langchain4j;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.output.TokenUsage;
import dev.optimizer.ai.inference.cache.InferenceCache;
import dev.optimizer.api.internal.Checks;
import dev.optimizer.runtime.Optimizer;
import java.util.ArrayList;
import java.util.List;

/**
 * A LangChain4j {@link EmbeddingModel} decorator that remembers embeddings by content: the same
 * text (for the same model) is embedded once, and later calls are served from an {@link
 * InferenceCache} bounded by bytes. Stack it over a {@link BatchingEmbeddingModel} so that misses
 * are batched:
 *
 * <pre>{@code
 * EmbeddingModel model =
 *     CachingEmbeddingModel.wrap(optimizer, BatchingEmbeddingModel.wrap(optimizer, inProcess), 32L << 20);
 * }</pre>
 *
 * <p>{@code embedAll} looks each text up and sends only the misses to the delegate, in one call.
 * Returned vectors are copies. A response's {@link Response#tokenUsage() token usage} is that of
 * the one delegate call it made (the misses), or null when every text was a hit, or another
 * caller's call computed it. {@link #close()} drops the cache (and closes the delegate where this
 * decorator owns it, see {@link #wrapOwning}); it is also closed with the optimizer. Thread-safe.
 */
public final class CachingEmbeddingModel implements EmbeddingModel, AutoCloseable {

  private final EmbeddingModel delegate;
  private final InferenceCache<String, float[]> cache;
  private final AutoCloseable owned; // closed with this decorator, or null

  private CachingEmbeddingModel(
      EmbeddingModel delegate, InferenceCache<String, float[]> cache, AutoCloseable owned) {
    this.delegate = delegate;
    this.cache = cache;
    this.owned = owned;
  }

  /**
   * Like {@link #wrap(Optimizer, EmbeddingModel, long)}, for a batching model that the decorator
   * returned is the only handle on (as {@code AiOptimizer.wrap(EmbeddingModel)} makes): its {@link
   * #close()} closes {@code delegate} too, releasing its knobs, threads and ONNX session.
   *
   * @throws IllegalArgumentException if {@code maximumBytes} is not in {@code [1024, 2^40]}
   */
  public static CachingEmbeddingModel wrapOwning(
      Optimizer optimizer, BatchingEmbeddingModel delegate, long maximumBytes) {
    CachingEmbeddingModel shared = wrap(optimizer, delegate, maximumBytes);
    return new CachingEmbeddingModel(shared.delegate, shared.cache, delegate);
  }

  /**
   * Drops the cached embeddings and closes the cache; closes the delegate only where this decorator
   * owns it ({@link #wrapOwning}). Idempotent.
   */
  @Override
  public void close() {
    try {
      cache.close();
    } finally {
      if (owned != null) {
        try {
          owned.close();
        } catch (RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new IllegalStateException("closing the embedding model failed", e);
        }
      }
    }
  }

  /**
   * Wraps {@code delegate} with a cache of at most {@code maximumBytes}, keyed by the model's name.
   * The cache is reported as {@code optimizer.cache.name = ai.NAME}, NAME being the delegate's
   * batcher name when it is a {@link BatchingEmbeddingModel} (unique per optimizer, as its knobs
   * are), else {@code "embeddings"}; give two caches over other models their own names with {@link
   * #wrap(Optimizer, EmbeddingModel, long, String)}.
   *
   * @throws IllegalArgumentException if {@code maximumBytes} is not in {@code [1024, 2^40]}
   */
  public static CachingEmbeddingModel wrap(
      Optimizer optimizer, EmbeddingModel delegate, long maximumBytes) {
    Checks.notNull("delegate", delegate);
    String name = delegate instanceof BatchingEmbeddingModel b ? b.batcher().name() : "embeddings";
    return wrap(optimizer, delegate, maximumBytes, name);
  }

  /**
   * Wraps {@code delegate} with a cache of at most {@code maximumBytes}, reported as {@code
   * optimizer.cache.name = ai.NAME}.
   *
   * @throws IllegalArgumentException if {@code maximumBytes} is not in {@code [1024, 2^40]} or
   *     {@code name} is blank
   */
  public static CachingEmbeddingModel wrap(
      Optimizer optimizer, EmbeddingModel delegate, long maximumBytes, String name) {
    Checks.notNull("delegate", delegate);
    String model = delegate.modelName();
    if (model == null || model.isBlank()) {
      model = delegate.getClass().getName();
    }
    InferenceCache<String, float[]> cache =
        InferenceCache.<String, float[]>builder(optimizer)
            .name(Checks.notBlank("name", name))
            .modelId(model)
            .inputBytes(CachingEmbeddingModel::utf16)
            .outputBytes(v -> 16 + v.length * 4)
            .copy(float[]::clone)
            .maximumBytes(maximumBytes)
            .build();
    return new CachingEmbeddingModel(delegate, cache, null);
  }

  /**
   * The text's UTF-16 code units, two bytes each: one-to-one for every Java string. UTF-8 would
   * turn each unpaired surrogate into '?', so texts differing only there would share an entry.
   */
  static byte[] utf16(String text) {
    // By hand: Java's UTF-16 encoders also replace an unpaired surrogate (with U+FFFD).
    byte[] out = new byte[2 * text.length()];
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      out[2 * i] = (byte) (c >>> 8);
      out[2 * i + 1] = (byte) c;
    }
    return out;
  }

  /** Wraps {@code delegate} with a cache built by the caller (its outputs must be copies). */
  public static CachingEmbeddingModel wrap(
      EmbeddingModel delegate, InferenceCache<String, float[]> cache) {
    return new CachingEmbeddingModel(
        Checks.notNull("delegate", delegate), Checks.notNull("cache", cache), null);
  }

  @Override
  public Response<Embedding> embed(String text) {
    Checks.notNull("text", text);
    TokenUsage[] usage = new TokenUsage[1];
    float[] vector =
        cache.get(
            text,
            t -> {
              Response<Embedding> computed = delegate.embed(t);
              usage[0] = computed.tokenUsage();
              return computed.content().vector();
            });
    return Response.from(Embedding.from(vector), usage[0]);
  }

  @Override
  public Response<Embedding> embed(TextSegment textSegment) {
    return embed(Checks.notNull("textSegment", textSegment).text());
  }

  @Override
  public Response<List<Embedding>> embedAll(List<TextSegment> textSegments) {
    Checks.notNull("textSegments", textSegments);
    float[][] out = new float[textSegments.size()][];
    List<TextSegment> misses = new ArrayList<>();
    List<Integer> missIndex = new ArrayList<>();
    for (int i = 0; i < textSegments.size(); i++) {
      float[] hit = cache.getIfPresent(textSegments.get(i).text());
      if (hit != null) {
        out[i] = hit;
      } else {
        misses.add(textSegments.get(i));
        missIndex.add(i);
      }
    }
    TokenUsage usage = null;
    if (!misses.isEmpty()) {
      Response<List<Embedding>> response = delegate.embedAll(misses);
      List<Embedding> computed = response.content();
      usage = response.tokenUsage();
      if (computed.size() != misses.size()) {
        throw new IllegalStateException(
            "the wrapped model returned " + computed.size() + " embeddings for " + misses.size());
      }
      for (int k = 0; k < misses.size(); k++) {
        float[] v = computed.get(k).vector();
        cache.put(misses.get(k).text(), v);
        out[missIndex.get(k)] = v.clone();
      }
    }
    List<Embedding> result = new ArrayList<>(out.length);
    for (float[] v : out) {
      result.add(Embedding.from(v));
    }
    return Response.from(result, usage);
  }

  @Override
  public int dimension() {
    return delegate.dimension();
  }

  @Override
  public String modelName() {
    return delegate.modelName();
  }

  /** Returns the cache underneath. */
  public InferenceCache<String, float[]> cache() {
    return cache;
  }
}
