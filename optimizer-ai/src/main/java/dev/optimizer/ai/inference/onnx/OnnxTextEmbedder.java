package dev.optimizer.ai.inference.onnx;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.optimizer.ai.inference.BatchModel;
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
 */
public final class OnnxTextEmbedder implements AutoCloseable {

  private final OrtEnvironment env;
  private final OrtSession session;
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
  private final Object lock = new Object();
  private boolean closed; // guarded by lock
  // Runs (and token counts) using the session and tokenizer now; the last one out after close()
  // frees them, so native memory is never freed under a forward pass.
  private int users; // guarded by lock
  private volatile boolean released;

  OnnxTextEmbedder(OnnxTextEmbedderBuilder b) {
    this.pooling = b.pooling;
    this.normalize = b.normalize;
    this.maxTokens = b.maxTokens;
    this.truncation = b.truncation;
    this.maxForwardBatch = b.maxForwardBatch;
    this.paddingTolerance = b.paddingTolerance;
    this.modelName = b.modelName;
    this.env = OrtEnvironment.getEnvironment();
    OrtSession s = null;
    HuggingFaceTokenizer t = null;
    try {
      // The session copies what it needs: its options are freed once it exists.
      try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
        options.setIntraOpNumThreads(b.intraOpThreads);
        options.setInterOpNumThreads(1);
        s = env.createSession(b.modelBytes, options);
      }
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
    this.session = s;
    this.tokenizer = t;
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
    acquire();
    try {
      return tokenizer.encode(text, true, false).getIds().length;
    } finally {
      releaseUse();
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
    acquire();
    try {
      runOpen(texts, results);
    } finally {
      releaseUse();
    }
  }

  private void runOpen(List<String> texts, ItemResults<float[]> results) {
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
      forwardIsolating(Arrays.copyOfRange(sorted, start, end), ids, results);
      start = end;
    }
  }

  private void forwardIsolating(Integer[] group, long[][] ids, ItemResults<float[]> results) {
    try {
      float[][] vectors = forward(group, ids);
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
        forwardIsolating(new Integer[] {one}, ids, results);
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

  private float[][] forward(Integer[] group, long[][] ids) throws OrtException {
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

  /** Counts a user of the session, or fails if closed. */
  private void acquire() {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("OnnxTextEmbedder '" + modelName + "' is closed");
      }
      users++;
    }
  }

  private void releaseUse() {
    boolean last;
    synchronized (lock) {
      last = --users == 0 && closed;
    }
    if (last) {
      free();
    }
  }

  /** Whether the session and the tokenizer have been freed. */
  boolean isReleased() {
    return released;
  }

  /** Called once: by close() when no run is under way, else by the last run after it. */
  private void free() {
    closeQuietly(session);
    tokenizer.close();
    released = true;
  }

  /**
   * Refuses new runs and releases the ONNX Runtime session and the tokenizer: now when no run is
   * under way, else when the last running one returns. Idempotent.
   */
  @Override
  public void close() {
    boolean idle;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      idle = users == 0;
    }
    if (idle) {
      free();
    }
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
