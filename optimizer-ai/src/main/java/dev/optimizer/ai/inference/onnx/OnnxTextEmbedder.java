package dev.optimizer.ai.inference.onnx;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.optimizer.ai.inference.BatchModel;
import dev.optimizer.api.Knob;
import dev.optimizer.runtime.batch.ItemResults;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A BERT-style text embedding model on ONNX Runtime that runs real tensor batches: the inputs of a
 * batch are tokenized, padded to a common length with attention masks, run in one forward pass, and
 * pooled and normalised in Java. With {@link Pooling#MEAN} and normalisation it computes what
 * LangChain4j's in-process models compute one text at a time (to within float rounding).
 *
 * <pre>{@code
 * try (OnnxTextEmbedder embedder =
 *     OnnxTextEmbedder.builder()
 *         .model(Path.of("all-minilm-l6-v2.onnx"))
 *         .tokenizer(Path.of("tokenizer.json"))
 *         .build()) {
 *   List<float[]> vectors = embedder.embedAll(List.of("first text", "second text"));
 * }
 * }</pre>
 *
 * <p>Padding costs: every input of a forward pass is padded to its longest. A batch is therefore
 * sorted by token count and cut into forward passes of similar lengths (at most {@code
 * maxForwardBatch} inputs, at most {@code paddingTolerance} of the tokens being padding), which
 * keeps batching from computing more than it saves.
 *
 * <p>Bad input fails only its own item: an empty or blank text ({@link IllegalArgumentException}),
 * one beyond {@code maxTokens} (see {@link Truncation}), or one whose forward pass fails when run
 * alone. Thread-safe: ONNX Runtime sessions and the tokenizer may be used by many threads; {@link
 * #newWorker()} hands one to an {@link dev.optimizer.ai.inference.InferenceBatcher}. {@link
 * #close()} releases the session and the tokenizer.
 *
 * <p>The intra-op thread count may change at run time ({@link #setIntraOpThreads}): a new session
 * is built off the request path and swapped in, and the old one is closed after the last run using
 * it. Batched, the count becomes a knob the engine tunes with the batcher's own:
 *
 * <pre>{@code
 * InferenceBatcher<String, float[]> batcher =
 *     InferenceBatcher.builder(optimizer, 1, embedder::newWorker)
 *         .name("minilm")
 *         .modelKnob("intra_op_threads", embedder::intraOpThreadsKnob)
 *         .build();
 * }</pre>
 */
public final class OnnxTextEmbedder implements AutoCloseable {

  private final OrtEnvironment env;
  private final SessionSlot<OrtSession> sessions;
  private final HuggingFaceTokenizer tokenizer;
  private final boolean needsTokenTypes;
  private final String firstInput;
  private final Pooling pooling;
  private final boolean normalize;
  private final int maxTokens;
  private final Truncation truncation;
  private final int maxForwardBatch;
  private final double paddingTolerance;
  private final int dimension;
  private final String modelName;
  // Null when built with intraOpThreadsTuning(false): the thread count is then fixed.
  private final ModelSource source;
  private final boolean threadsGiven;
  private final int maxThreads;
  // One new session at a time: two changes racing could otherwise install them out of order.
  private final Object rebuildLock = new Object();
  // Test hooks: run by a run once it holds its session, and by a rebuild before it swaps.
  volatile Runnable afterAcquire;
  volatile Runnable beforeSwap;

  OnnxTextEmbedder(OnnxTextEmbedderBuilder b) {
    this.pooling = b.pooling;
    this.normalize = b.normalize;
    this.maxTokens = b.maxTokens;
    this.truncation = b.truncation;
    this.maxForwardBatch = b.maxForwardBatch;
    this.paddingTolerance = b.paddingTolerance;
    this.modelName = b.modelName;
    this.threadsGiven = b.intraOpThreadsGiven;
    this.maxThreads = Math.max(Runtime.getRuntime().availableProcessors(), b.intraOpThreads);
    this.env = OrtEnvironment.getEnvironment();
    OrtSession s = null;
    HuggingFaceTokenizer t = null;
    try {
      s = newSession(b.modelBytes, b.intraOpThreads);
      if (!s.getInputNames().contains("input_ids")
          || !s.getInputNames().contains("attention_mask")) {
        throw new IllegalArgumentException(
            "model '"
                + modelName
                + "' is not a BERT-style text encoder: its inputs are "
                + s.getInputNames()
                + ", expected input_ids and attention_mask");
      }
      NodeInfo out = s.getOutputInfo().values().iterator().next();
      long[] shape = ((TensorInfo) out.getInfo()).getShape();
      if (shape.length != 3 || shape[2] <= 0) {
        throw new IllegalArgumentException(
            "model '"
                + modelName
                + "' first output "
                + out.getName()
                + " has shape "
                + Arrays.toString(shape)
                + "; expected [batch, tokens, hidden] token vectors");
      }
      this.dimension = (int) shape[2];
      this.needsTokenTypes = s.getInputNames().contains("token_type_ids");
      this.firstInput = "input_ids";
      t =
          HuggingFaceTokenizer.newInstance(
              new ByteArrayInputStream(b.tokenizerBytes),
              Map.of("padding", "false", "truncation", "false", "addSpecialTokens", "true"));
    } catch (OrtException | IOException e) {
      closeQuietly(s);
      throw new IllegalArgumentException(
          "cannot load ONNX model '" + modelName + "' (is it an ONNX file?): " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(s);
      throw e;
    }
    this.tokenizer = t;
    this.source = b.intraOpThreadsTuning ? source(b) : null;
    this.sessions =
        new SessionSlot<>(
            "OnnxTextEmbedder '" + modelName + "'",
            s,
            b.intraOpThreads,
            OnnxTextEmbedder::closeQuietly,
            t::close);
  }

  private static ModelSource source(OnnxTextEmbedderBuilder b) {
    if (b.modelFile != null) {
      return ModelSource.ofFile(b.modelFile, b.modelBytes);
    }
    if (b.modelAnchor != null) {
      return ModelSource.ofResource(b.modelAnchor, b.modelResource, b.modelBytes);
    }
    return ModelSource.ofBytes(b.modelBytes);
  }

  /** A session with the embedder's options; only the intra-op thread count ever differs. */
  private OrtSession newSession(byte[] model, int threads) throws OrtException {
    // The session copies what it needs: its options are freed once it exists.
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(threads);
      options.setInterOpNumThreads(1);
      return env.createSession(model, options);
    }
  }

  /** Starts a builder; the model and the tokenizer are required. */
  public static OnnxTextEmbedderBuilder builder() {
    return new OnnxTextEmbedderBuilder();
  }

  /** Returns the length of the vectors. */
  public int dimension() {
    return dimension;
  }

  /** Returns the model's name, as given to the builder. */
  public String modelName() {
    return modelName;
  }

  /** Returns the most tokens an input may have, special tokens included. */
  public int maxTokens() {
    return maxTokens;
  }

  /** Counts the tokens of {@code text}, special tokens included. */
  public int countTokens(String text) {
    SessionSlot.Generation<OrtSession> g = sessions.acquire(); // keeps the tokenizer open meanwhile
    try {
      return tokenizer.encode(text, true, false).getIds().length;
    } finally {
      sessions.release(g);
    }
  }

  /** Embeds one text. */
  public float[] embed(String text) {
    return embedAll(List.of(text)).get(0);
  }

  /**
   * Embeds texts in batched forward passes.
   *
   * @throws RuntimeException the error of the first text that failed
   */
  public List<float[]> embedAll(List<String> texts) {
    float[][] out = new float[texts.size()][];
    Throwable[] errors = new Throwable[texts.size()];
    run(
        texts,
        new ItemResults<>() {
          @Override
          public int size() {
            return texts.size();
          }

          @Override
          public boolean complete(int index, float[] value) {
            out[index] = value;
            return true;
          }

          @Override
          public boolean fail(int index, Throwable error) {
            errors[index] = error;
            return true;
          }
        });
    for (Throwable e : errors) {
      if (e instanceof RuntimeException r) {
        throw r;
      } else if (e != null) {
        throw new IllegalStateException(e);
      }
    }
    return Arrays.asList(out);
  }

  /** Returns a worker for an {@link dev.optimizer.ai.inference.InferenceBatcher}. */
  public BatchModel<String, float[]> newWorker() {
    return this::run;
  }

  /**
   * Embeds {@code texts} and settles each index of {@code results} with its vector or its own
   * error. Never throws for one bad input. A {@link #close()} meanwhile takes effect when this
   * returns.
   *
   * @throws IllegalStateException if the embedder is closed
   */
  public void run(List<String> texts, ItemResults<float[]> results) {
    // One session for the whole run: a thread-count change meanwhile takes effect on the next run,
    // and the session this one holds is closed only after it returns.
    SessionSlot.Generation<OrtSession> g = sessions.acquire();
    try {
      Runnable hook = afterAcquire;
      if (hook != null) {
        hook.run();
      }
      runOpen(g.session, texts, results);
    } finally {
      sessions.release(g);
    }
  }

  private void runOpen(OrtSession session, List<String> texts, ItemResults<float[]> results) {
    int n = texts.size();
    long[][] ids = new long[n][];
    Integer[] order = new Integer[n];
    int live = 0;
    for (int i = 0; i < n; i++) {
      try {
        ids[i] = tokenize(texts.get(i));
        order[live++] = i;
      } catch (RuntimeException e) {
        results.fail(i, e);
      }
    }
    Integer[] sorted = Arrays.copyOf(order, live);
    Arrays.sort(sorted, (a, c) -> Integer.compare(ids[a].length, ids[c].length));
    int start = 0;
    while (start < live) {
      int end = start + 1;
      long tokens = ids[sorted[start]].length;
      while (end < live && end - start < maxForwardBatch) {
        int len = ids[sorted[end]].length;
        if ((long) (end - start + 1) * len > (tokens + len) * (1 + paddingTolerance)) {
          break;
        }
        tokens += len;
        end++;
      }
      forwardIsolating(session, Arrays.copyOfRange(sorted, start, end), ids, results);
      start = end;
    }
  }

  private void forwardIsolating(
      OrtSession session, Integer[] group, long[][] ids, ItemResults<float[]> results) {
    try {
      float[][] vectors = forward(session, group, ids);
      for (int k = 0; k < group.length; k++) {
        results.complete(group[k], vectors[k]);
      }
    } catch (OrtException | RuntimeException e) {
      if (group.length == 1) {
        results.fail(
            group[0],
            new IllegalStateException(
                "ONNX Runtime failed on this input (" + ids[group[0]].length + " tokens): " + e,
                e));
        return;
      }
      for (Integer one : group) {
        forwardIsolating(session, new Integer[] {one}, ids, results);
      }
    }
  }

  private long[] tokenize(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("cannot embed an empty or whitespace-only text");
    }
    long[] ids = tokenizer.encode(text, true, false).getIds();
    if (ids.length > maxTokens) {
      if (truncation == Truncation.REJECT) {
        throw new InputTooLongException(ids.length, maxTokens, text.length());
      }
      long last = ids[ids.length - 1];
      ids = Arrays.copyOf(ids, maxTokens);
      ids[maxTokens - 1] = last;
    }
    return ids;
  }

  private float[][] forward(OrtSession session, Integer[] group, long[][] ids) throws OrtException {
    int b = group.length;
    int len = 0;
    for (Integer i : group) {
      len = Math.max(len, ids[i].length);
    }
    long[] inputIds = new long[b * len];
    long[] mask = new long[b * len];
    for (int k = 0; k < b; k++) {
      long[] row = ids[group[k]];
      System.arraycopy(row, 0, inputIds, k * len, row.length);
      Arrays.fill(mask, k * len, k * len + row.length, 1L);
    }
    long[] shape = {b, len};
    Map<String, OnnxTensor> inputs = new HashMap<>(4);
    try {
      inputs.put(firstInput, OnnxTensor.createTensor(env, LongBuffer.wrap(inputIds), shape));
      inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
      if (needsTokenTypes) {
        inputs.put(
            "token_type_ids",
            OnnxTensor.createTensor(env, LongBuffer.wrap(new long[b * len]), shape));
      }
      try (OrtSession.Result result = session.run(inputs)) {
        FloatBuffer buffer = ((OnnxTensor) result.get(0)).getFloatBuffer();
        float[] hidden = new float[buffer.remaining()];
        buffer.get(hidden);
        return pool(hidden, group, ids, len);
      }
    } finally {
      for (OnnxTensor t : inputs.values()) {
        t.close();
      }
    }
  }

  private float[][] pool(float[] hidden, Integer[] group, long[][] ids, int len) {
    int h = dimension;
    float[][] out = new float[group.length][];
    for (int k = 0; k < group.length; k++) {
      float[] v = new float[h];
      int base = k * len * h;
      if (pooling == Pooling.CLS) {
        System.arraycopy(hidden, base, v, 0, h);
      } else {
        int tokens = ids[group[k]].length;
        for (int p = 0; p < tokens; p++) {
          int off = base + p * h;
          for (int j = 0; j < h; j++) {
            v[j] += hidden[off + j];
          }
        }
        for (int j = 0; j < h; j++) {
          v[j] /= tokens;
        }
      }
      if (normalize) {
        normalizeInPlace(v);
      }
      out[k] = v;
    }
    return out;
  }

  /** Scales {@code v} to unit length (a zero vector stays zero). */
  static void normalizeInPlace(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    if (sum == 0) {
      return;
    }
    float inv = (float) (1.0 / Math.sqrt(sum));
    for (int j = 0; j < v.length; j++) {
      v[j] *= inv;
    }
  }

  /** Returns the intra-op thread count of the session new runs get. */
  public int intraOpThreads() {
    return sessions.threads();
  }

  /**
   * Returns the most intra-op threads {@link #setIntraOpThreads} accepts: the available processors,
   * or the count given to the builder if that is more.
   */
  public int maxIntraOpThreads() {
    return maxThreads;
  }

  /** Whether the thread count may change at run time (not built with tuning off). */
  public boolean isIntraOpThreadsTunable() {
    return source != null;
  }

  /**
   * Changes ONNX Runtime's intra-op thread count. ONNX Runtime fixes it per session, so this builds
   * a new session from the same model and options (on the calling thread: the tuning engine's, not
   * a caller's), then swaps it in; runs already under way finish on the old session, which is
   * closed once the last of them returns. Costs what loading the model costs (the time to read and
   * optimise it, and a second session's memory until the old one is closed).
   *
   * @throws IllegalArgumentException if {@code threads} is not in [1, {@link #maxIntraOpThreads()}]
   * @throws IllegalStateException if the thread count is fixed, the embedder is closed (also when
   *     it closes while the new session is built: that one is closed again), or the new session
   *     cannot be built; the old session then stays in use
   */
  public void setIntraOpThreads(int threads) {
    if (threads < 1 || threads > maxThreads) {
      throw new IllegalArgumentException(
          "intraOpThreads must be in [1, " + maxThreads + "], but was " + threads);
    }
    if (source == null) {
      throw new IllegalStateException(
          "intraOpThreads of OnnxTextEmbedder '"
              + modelName
              + "' is fixed at "
              + intraOpThreads()
              + ": it was built with intraOpThreadsTuning(false)");
    }
    synchronized (rebuildLock) {
      if (sessions.isClosed()) {
        throw closed(); // before loading a model that would only be closed again
      }
      int current = sessions.threads();
      if (current == threads) {
        return;
      }
      OrtSession next;
      try {
        next = newSession(source.read(), threads);
      } catch (OrtException | RuntimeException e) {
        throw new IllegalStateException(
            "OnnxTextEmbedder '"
                + modelName
                + "' cannot build a session with "
                + threads
                + " intra-op threads; the one with "
                + current
                + " stays: "
                + e.getMessage(),
            e);
      }
      Runnable hook = beforeSwap;
      if (hook != null) {
        try {
          hook.run();
        } catch (RuntimeException | Error e) {
          closeQuietly(next);
          throw e;
        }
      }
      if (!sessions.swap(next, threads)) {
        throw closed();
      }
    }
  }

  /**
   * Builds the knob of this embedder's intra-op threads, named {@code name}: range [1, {@link
   * #maxIntraOpThreads()}], starting at the current count, each change applied by {@link
   * #setIntraOpThreads} (so a session that cannot be built fails the change and leaves the value).
   * Pinned when the builder was given {@code intraOpThreads}: the tuning engine leaves a user's
   * setting alone until someone unpins it. An {@link dev.optimizer.ai.inference.InferenceBatcher}
   * registers it ({@code modelKnob}); one knob per embedder, or they would fight.
   *
   * @throws IllegalStateException if the thread count is fixed ({@code
   *     intraOpThreadsTuning(false)})
   */
  public Knob<Integer> intraOpThreadsKnob(String name) {
    if (source == null) {
      throw new IllegalStateException(
          "intraOpThreads of OnnxTextEmbedder '"
              + modelName
              + "' is fixed: it was built with intraOpThreadsTuning(false)");
    }
    Knob<Integer> knob =
        Knob.ofInt(name, intraOpThreads())
            .range(1, maxThreads)
            .description(
                "ONNX Runtime intra-op threads of model '"
                    + modelName
                    + "' (a change builds a new session)")
            .onChange(this::setIntraOpThreads)
            .build();
    if (threadsGiven) {
      knob.pin();
    }
    return knob;
  }

  private IllegalStateException closed() {
    return new IllegalStateException("OnnxTextEmbedder '" + modelName + "' is closed");
  }

  /** Whether the sessions and the tokenizer have been freed. */
  boolean isReleased() {
    return sessions.isReleased();
  }

  /** The slot of sessions, for tests. */
  SessionSlot<OrtSession> sessions() {
    return sessions;
  }

  /**
   * Refuses new runs and releases the ONNX Runtime session and the tokenizer: now when no run is
   * under way, else when the last running one returns. A session being built for a new thread count
   * is closed as soon as it exists. Idempotent.
   */
  @Override
  public void close() {
    sessions.close();
  }

  private static void closeQuietly(OrtSession s) {
    if (s != null) {
      try {
        s.close();
      } catch (OrtException e) {
        // Closing a session only frees native memory; nothing to report to the caller.
      }
    }
  }
}
