package dev.optimizer.ai.inference.cache;

import dev.optimizer.api.internal.Checks;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.cache.TieredCache;
import dev.optimizer.runtime.internal.ClosedOptimizer;
import dev.optimizer.runtime.telemetry.BuildingBlockMetrics;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.function.UnaryOperator;

/**
 * A result cache for deterministic inference: the SHA-256 of the input's bytes (and the model's id)
 * maps to the output, in the runtime's {@link TieredCache}, bounded by bytes.
 *
 * <pre>{@code
 * InferenceCache<String, float[]> cache =
 *     InferenceCache.<String, float[]>builder(optimizer)
 *         .name("minilm")
 *         .modelId("all-minilm-l6-v2")
 *         .inputBytes(text -> text.getBytes(StandardCharsets.UTF_8))
 *         .outputBytes(vector -> vector.length * 4)
 *         .copy(float[]::clone)
 *         .maximumBytes(32L << 20)
 *         .build();
 * float[] v = cache.get(text, embedder::embed);
 * }</pre>
 *
 * <p>{@code inputBytes} must be one-to-one: two inputs with the same bytes share an entry. Note
 * that {@code getBytes(UTF_8)} is not, for a string holding an unpaired surrogate (each becomes
 * {@code '?'}); {@code CachingEmbeddingModel} hashes the UTF-16 code units instead.
 *
 * <p>Keys hold a digest, never the input itself: a cache of prompts or texts keeps no readable copy
 * of them. The model id is part of the key, so two models never share an entry; an application that
 * must not let one tenant observe another's inputs (through hit timing) gives each tenant its own
 * cache or puts the tenant into the model id. Concurrent misses of one input share one computation.
 * Outputs are copied on the way in and out when a {@code copy} function is given (a caller mutating
 * a returned array then cannot change the cache). Reported as {@code optimizer.cache.*} with {@code
 * optimizer.cache.name = ai.NAME}. Thread-safe.
 *
 * @param <I> the input type
 * @param <O> the output type
 */
public final class InferenceCache<I, O> implements AutoCloseable {

  private final String modelId;
  private final Function<? super I, byte[]> inputBytes;
  private final UnaryOperator<O> copy;
  private final TieredCache<Key, O> cache;
  private final AutoCloseable metrics;
  private final Optimizer.Registration registration;

  private InferenceCache(Builder<I, O> b) {
    // Before anything is started: on a closed optimizer, onClose below would refuse the cache only
    // after its instruments were registered on the meter, and nothing would remove them.
    ClosedOptimizer.refuse(b.optimizer, "InferenceCache 'ai." + b.name + "'");
    this.modelId = b.modelId;
    this.inputBytes = b.inputBytes;
    this.copy = b.copy;
    ToIntFunction<? super O> outputBytes = b.outputBytes;
    this.cache =
        TieredCache.<Key, O>builder()
            .name("ai." + b.name)
            .weigher((k, v) -> 96 + k.model.length() * 2 + Math.max(0, outputBytes.applyAsInt(v)))
            .maximumWeightBytes(b.maximumBytes)
            .expireAfterWrite(b.expireAfterWrite)
            .ticker(b.optimizer.ticker())
            .build();
    this.metrics = BuildingBlockMetrics.observe(b.optimizer.meter(), "ai." + b.name, cache);
    try {
      this.registration = b.optimizer.onClose(this);
    } catch (RuntimeException e) {
      // The optimizer closed since the check above: what was started goes with the refusal.
      closeQuietly(metrics, e);
      cache.close();
      throw e;
    }
  }

  private static void closeQuietly(AutoCloseable c, Throwable failure) {
    try {
      c.close();
    } catch (Exception e) {
      failure.addSuppressed(e);
    }
  }

  /** Starts a builder; {@code inputBytes} and {@code outputBytes} are required. */
  public static <I, O> Builder<I, O> builder(Optimizer optimizer) {
    return new Builder<>(Checks.notNull("optimizer", optimizer));
  }

  /**
   * Returns the cached output for {@code input}, or computes it with {@code compute} (once for
   * concurrent callers of the same input) and caches it. An exception from {@code compute} is
   * thrown to every caller that shared it and nothing is cached; except where it comes from the
   * interrupt or cancellation of the caller that ran it (an {@link InterruptedException} or a
   * {@link java.util.concurrent.CancellationException} among its causes): a caller that shared it
   * and was not interrupted computes the output again instead.
   */
  public O get(I input, Function<? super I, ? extends O> compute) {
    Checks.notNull("input", input);
    Checks.notNull("compute", compute);
    Key key = key(input);
    O value;
    try {
      value = cache.get(key, k -> copy.apply(compute.apply(input)));
    } catch (RuntimeException e) {
      if (!interruptedOrCancelled(e) || Thread.currentThread().isInterrupted()) {
        throw e;
      }
      // The shared computation failed for a reason of the caller that ran it (its thread was
      // interrupted, its call cancelled), not of the input: this caller, not interrupted, should
      // not inherit it. Once, as its own computation (or a new shared one).
      value = cache.get(key, k -> copy.apply(compute.apply(input)));
    }
    return value == null ? null : copy.apply(value);
  }

  private static boolean interruptedOrCancelled(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof InterruptedException
          || t instanceof java.util.concurrent.CancellationException
          || t instanceof java.nio.channels.ClosedByInterruptException) {
        return true;
      }
    }
    return false;
  }

  /** Returns the cached output for {@code input}, or {@code null}. Never computes. */
  public O getIfPresent(I input) {
    O value = cache.getIfPresent(key(Checks.notNull("input", input)));
    return value == null ? null : copy.apply(value);
  }

  /** Stores an output computed elsewhere (for example by a batch that ran many inputs). */
  public void put(I input, O output) {
    cache.put(key(Checks.notNull("input", input)), copy.apply(Checks.notNull("output", output)));
  }

  /** Returns the hit, miss and eviction counters. */
  public TieredCache.Stats stats() {
    return cache.stats();
  }

  /** Returns the bytes held, as the weigher counts them. */
  public long weightedSizeBytes() {
    cache.cleanUp();
    return cache.weightedSizeBytes();
  }

  /** Drops every entry. */
  public void invalidateAll() {
    cache.invalidateAll();
  }

  /**
   * Removes the instruments, drops every entry (the outputs held would otherwise stay reachable
   * until the optimizer closes) and closes the cache; the optimizer no longer holds it.
   */
  @Override
  public void close() {
    registration.release();
    cache.invalidateAll();
    try {
      metrics.close();
    } catch (Exception e) {
      throw new IllegalStateException("closing the cache metrics failed", e);
    } finally {
      cache.close();
    }
  }

  private Key key(I input) {
    byte[] bytes = inputBytes.apply(input);
    if (bytes == null) {
      throw new IllegalArgumentException("inputBytes returned null for an input");
    }
    try {
      return new Key(modelId, MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  /** Model id and content digest. */
  private static final class Key {
    final String model;
    final byte[] digest;
    final int hash;

    Key(String model, byte[] digest) {
      this.model = model;
      this.digest = digest;
      this.hash = 31 * model.hashCode() + Arrays.hashCode(digest);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && k.model.equals(model) && Arrays.equals(k.digest, digest);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  /**
   * Settings of an {@link InferenceCache}; each is checked when given.
   *
   * <table>
   *   <caption>Settings</caption>
   *   <tr><th>setting</th><th>default</th><th>range</th></tr>
   *   <tr><td>name</td><td>{@code "inference"}</td><td>names the cache in telemetry</td></tr>
   *   <tr><td>modelId</td><td>{@code "model"}</td><td>part of every key</td></tr>
   *   <tr><td>inputBytes</td><td>required</td><td>the bytes the digest is taken of</td></tr>
   *   <tr><td>outputBytes</td><td>required</td><td>an output's size in bytes</td></tr>
   *   <tr><td>copy</td><td>identity</td><td>defensive copy of mutable outputs</td></tr>
   *   <tr><td>maximumBytes</td><td>64 MiB</td><td>[1 KiB, 1 TiB]</td></tr>
   *   <tr><td>expireAfterWrite</td><td>1 day</td><td>[1 ms, 365 days]</td></tr>
   * </table>
   *
   * @param <I> the input type
   * @param <O> the output type
   */
  public static final class Builder<I, O> {
    private final Optimizer optimizer;
    private String name = "inference";
    private String modelId = "model";
    private Function<? super I, byte[]> inputBytes;
    private ToIntFunction<? super O> outputBytes;
    private UnaryOperator<O> copy = UnaryOperator.identity();
    private long maximumBytes = 64L << 20;
    private Duration expireAfterWrite = Duration.ofDays(1);

    private Builder(Optimizer optimizer) {
      this.optimizer = optimizer;
    }

    /** Names the cache ({@code optimizer.cache.name = ai.NAME}). */
    public Builder<I, O> name(String name) {
      this.name = Checks.notBlank("name", name);
      return this;
    }

    /** Identifies the model; outputs of different models never mix. */
    public Builder<I, O> modelId(String modelId) {
      this.modelId = Checks.notBlank("modelId", modelId);
      return this;
    }

    /** How an input becomes the bytes its digest is taken of. Required. */
    public Builder<I, O> inputBytes(Function<? super I, byte[]> inputBytes) {
      this.inputBytes = Checks.notNull("inputBytes", inputBytes);
      return this;
    }

    /** How many bytes an output holds. Required. */
    public Builder<I, O> outputBytes(ToIntFunction<? super O> outputBytes) {
      this.outputBytes = Checks.notNull("outputBytes", outputBytes);
      return this;
    }

    /** A copy function for mutable outputs (e.g. {@code float[]::clone}); default none. */
    public Builder<I, O> copy(UnaryOperator<O> copy) {
      this.copy = Checks.notNull("copy", copy);
      return this;
    }

    /** The bound of the cache in bytes, in {@code [1024, 2^40]}; default 64 MiB. */
    public Builder<I, O> maximumBytes(long maximumBytes) {
      this.maximumBytes = Checks.inRange("maximumBytes", maximumBytes, 1024L, 1L << 40);
      return this;
    }

    /** How long an entry lives, in {@code [1ms, 365d]}; default 1 day. */
    public Builder<I, O> expireAfterWrite(Duration expireAfterWrite) {
      this.expireAfterWrite =
          Checks.inRange(
              "expireAfterWrite", expireAfterWrite, Duration.ofMillis(1), Duration.ofDays(365));
      return this;
    }

    /**
     * Builds the cache.
     *
     * @throws IllegalStateException if {@code inputBytes} or {@code outputBytes} is missing, or if
     *     the optimizer is closed (then nothing is started: no instruments, no cache)
     */
    public InferenceCache<I, O> build() {
      if (inputBytes == null) {
        throw new IllegalStateException("inputBytes must be set");
      }
      if (outputBytes == null) {
        throw new IllegalStateException("outputBytes must be set");
      }
      return new InferenceCache<>(this);
    }
  }
}
