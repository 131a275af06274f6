package dev.optimizer.ai.inference.langchain4j;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.output.Response;
import dev.optimizer.ai.inference.BatchModel;
import dev.optimizer.ai.inference.InferenceBatcher;
import dev.optimizer.ai.inference.InferenceBatcherBuilder;
import dev.optimizer.ai.inference.internal.BatcherKnobs;
import dev.optimizer.ai.inference.onnx.InputTooLongException;
import dev.optimizer.ai.inference.onnx.OnnxTextEmbedder;
import dev.optimizer.api.Knob;
import dev.optimizer.api.internal.Checks;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.batch.ItemResults;
import dev.optimizer.runtime.internal.ClosedOptimizer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiFunction;

/**
 * A LangChain4j {@link EmbeddingModel} decorator that turns concurrent single calls into batches.
 *
 * <pre>{@code
 * EmbeddingModel model = BatchingEmbeddingModel.wrap(optimizer, new AllMiniLmL6V2EmbeddingModel());
 * Embedding e = model.embed("How do I learn Java?").content();   // from any number of threads
 * }</pre>
 *
 * <p>For LangChain4j's in-process models (all-MiniLM-L6-v2 and its quantized twin) the decorator
 * loads the same ONNX file and tokenizer into an {@link OnnxTextEmbedder} and runs real tensor
 * batches (padding, attention masks, mean pooling and normalisation as LangChain4j does them, to
 * within float rounding); the wrapped model itself, which embeds one text per forward pass, only
 * serves inputs longer than 512 tokens, so that those keep LangChain4j's behaviour (split into
 * 510-token windows, averaged). Any other model is batched through its own {@code embedAll}, which
 * for a remote API is one request per batch.
 *
 * <p>Each caller gets its own embedding or its own error: an empty text, a deadline passed in the
 * queue ({@link dev.optimizer.ai.inference.DeadlineExceededException}), a model failure for that
 * input, or the failure of its whole batch. A batch sent through the wrapped model's {@code
 * embedAll} that fails as a whole is re-run input by input only when the failure may be one
 * input's: an {@code InvalidRequestException} (a 4xx such as 400 for an input too long, or a
 * content filter), or an exception that is no LangChain4j, I/O or transport error at all (a local
 * model's tokenizer failing on one text). A failure of the service or the transport ({@code
 * RateLimitException}, {@code InternalServerException}, {@code TimeoutException}, {@code
 * AuthenticationException}, {@code ModelNotFoundException}, an {@code HttpException} of 401, 403,
 * 404, 408, 429 or 5xx, an {@code IOException}) fails every caller of the batch with that
 * exception, in one request rather than N + 1: re-running each input alone would answer a rate
 * limit or an overloaded service with N more requests. Tensor batches of an in-process model keep
 * the batcher's default, every failure re-run alone: a re-run costs only local compute, there is no
 * service to flood, and a failure there is most likely one input's (see {@link
 * InferenceBatcherBuilder#splitFailedBatchWhen}). Responses carry no {@link Response#tokenUsage()
 * token usage}: a batch holds the texts of several callers, so the wrapped model's usage for it is
 * no single caller's, and the tensor batches of an in-process model do not count tokens. Telemetry
 * and tuning are those of the {@link InferenceBatcher} underneath; with tensor batching, ONNX
 * Runtime's intra-op thread count is one more knob, {@code optimizer.ai.NAME.intra_op_threads} (see
 * {@link OnnxTextEmbedder#intraOpThreadsKnob}), pinned when {@code intraOpThreads} is given, left
 * out with {@code intraOpThreadsTuning(false)}. {@link #close()} drains and releases the ONNX
 * session; it is also closed with the optimizer.
 */
public final class BatchingEmbeddingModel implements EmbeddingModel, AutoCloseable {

  /** The most texts one {@code embedAll} call keeps submitted and unfinished at a time. */
  static final int MAX_OUTSTANDING = 1024;

  private final EmbeddingModel delegate;
  private final OnnxTextEmbedder embedder;
  private final InferenceBatcher<String, float[]> batcher;
  private final int dimension;
  private final Optimizer.Registration registration;

  private BatchingEmbeddingModel(Builder b) {
    this.delegate = b.delegate;
    String name = b.name != null ? b.name : "embeddings";
    // Before the ONNX session is loaded (seconds, hundreds of MB) only for the batcher to be
    // refused by the closed optimizer and the session closed again.
    ClosedOptimizer.refuse(b.optimizer, "BatchingEmbeddingModel '" + name + "'");
    List<BatchModel<String, float[]>> workers = new ArrayList<>();
    OnnxTextEmbedder loaded = null;
    try {
      if (b.embedder != null || InProcessModels.isKnown(delegate)) {
        int threads =
            b.intraOpThreads != null
                ? b.intraOpThreads
                : Math.max(1, Runtime.getRuntime().availableProcessors() / b.workers);
        if (b.embedder == null) {
          loaded = b.loader.apply(delegate, threads);
        }
        this.embedder = b.embedder != null ? b.embedder : loaded;
        for (int i = 0; i < b.workers; i++) {
          workers.add(this::runLocal);
        }
        this.dimension = embedder.dimension();
      } else {
        this.embedder = null;
        for (int i = 0; i < b.workers; i++) {
          workers.add(this::runDelegate);
        }
        this.dimension = -1;
      }
      this.batcher = batcher(b, name, workers, loaded != null);
      try {
        this.registration = b.optimizer.onClose(this);
      } catch (RuntimeException e) {
        batcher.close();
        throw e;
      }
    } catch (RuntimeException | Error e) {
      // The ONNX session loaded here would otherwise leak; an embedder given to the builder stays
      // the caller's when the build fails.
      if (loaded != null) {
        loaded.close();
      }
      throw e;
    }
  }

  private InferenceBatcher<String, float[]> batcher(
      Builder b, String name, List<BatchModel<String, float[]>> workers, boolean loadedHere) {
    InferenceBatcherBuilder<String, float[]> bb =
        InferenceBatcher.builder(b.optimizer, workers)
            .name(name)
            .operationName("embeddings")
            .providerName(embedder != null ? "onnxruntime" : "langchain4j");
    String model = embedder != null ? embedder.modelName() : safeModelName(delegate);
    if (model != null) {
      bb.modelName(model);
    }
    if (b.maxBatchSize != null) {
      bb.maxBatchSize(b.maxBatchSize);
    }
    if (b.maxDelay != null) {
      bb.maxDelay(b.maxDelay);
    }
    if (b.timeout != null) {
      bb.timeout(b.timeout);
    }
    if (b.tuning != null) {
      bb.tuning(b.tuning);
    }
    if (embedder == null) {
      // Batched through the delegate's embedAll, for a remote API one request per batch: a batch
      // the service refused as a whole must not come back as one request per input.
      bb.splitFailedBatchWhen(e -> !ServiceFailures.isTheServices(e));
    }
    if (embedder != null && b.intraOpThreadsTuning && embedder.isIntraOpThreadsTunable()) {
      bb.modelKnob(
          BatcherKnobs.INTRA_OP_THREADS,
          knobName -> {
            Knob<Integer> knob = embedder.intraOpThreadsKnob(knobName);
            if (loadedHere && b.intraOpThreads == null) {
              // The embedder loaded here was given processors / workers by this decorator, not by
              // the user: that count is a start, not a setting to respect.
              knob.unpin();
            }
            return knob;
          });
    }
    return bb.build();
  }

  /** Wraps {@code delegate} with the default settings. */
  public static BatchingEmbeddingModel wrap(Optimizer optimizer, EmbeddingModel delegate) {
    return builder(optimizer, delegate).build();
  }

  /** Starts a builder. */
  public static Builder builder(Optimizer optimizer, EmbeddingModel delegate) {
    return new Builder(
        Checks.notNull("optimizer", optimizer), Checks.notNull("delegate", delegate));
  }

  @Override
  public Response<Embedding> embed(String text) {
    Checks.notNull("text", text);
    return Response.from(Embedding.from(batcher.call(text)));
  }

  @Override
  public Response<Embedding> embed(TextSegment textSegment) {
    Checks.notNull("textSegment", textSegment);
    return Response.from(Embedding.from(batcher.call(textSegment.text())));
  }

  /**
   * Embeds every segment through the batcher, in order. At most {@link #MAX_OUTSTANDING} of this
   * call's texts (and no more than half the batcher's queue bound) are waiting at a time: the
   * oldest is awaited before more are submitted, so a list far longer than the queue neither fills
   * it nor is refused. The first failure is thrown; nothing more is submitted after it.
   */
  @Override
  public Response<List<Embedding>> embedAll(List<TextSegment> textSegments) {
    Checks.notNull("textSegments", textSegments);
    int window = Math.max(1, Math.min(MAX_OUTSTANDING, batcher.maxQueuedItems() / 2));
    List<Embedding> out = new ArrayList<>(textSegments.size());
    ArrayDeque<CompletableFuture<float[]>> pending = new ArrayDeque<>();
    for (TextSegment s : textSegments) {
      String text = Checks.notNull("textSegment", s).text();
      while (pending.size() >= window) {
        out.add(Embedding.from(batcher.await(pending.poll())));
      }
      while (true) {
        try {
          pending.add(batcher.submit(text));
          break;
        } catch (RejectedExecutionException e) {
          // Other callers filled the queue: wait for one of ours, or give up if none is left.
          if (pending.isEmpty()) {
            throw e;
          }
          out.add(Embedding.from(batcher.await(pending.poll())));
        }
      }
    }
    while (!pending.isEmpty()) {
      out.add(Embedding.from(batcher.await(pending.poll())));
    }
    return Response.from(out);
  }

  @Override
  public int dimension() {
    return dimension > 0 ? dimension : delegate.dimension();
  }

  @Override
  public String modelName() {
    return embedder != null ? embedder.modelName() : delegate.modelName();
  }

  /** Returns the batcher underneath: its knobs, signal and counters. */
  public InferenceBatcher<String, float[]> batcher() {
    return batcher;
  }

  /** Whether batches run as real tensor batches in this process (an in-process model). */
  public boolean isTensorBatching() {
    return embedder != null;
  }

  /**
   * Drains the batcher and releases the ONNX session, if any; the batcher's knobs leave the
   * optimizer, which no longer holds this model. Does not close the delegate.
   */
  @Override
  public void close() {
    registration.release();
    try {
      batcher.close();
    } finally {
      if (embedder != null) {
        embedder.close();
      }
    }
  }

  private void runLocal(List<String> texts, ItemResults<float[]> results) {
    embedder.run(
        texts,
        new ItemResults<>() {
          @Override
          public int size() {
            return results.size();
          }

          @Override
          public boolean complete(int index, float[] value) {
            return results.complete(index, value);
          }

          @Override
          public boolean fail(int index, Throwable error) {
            if (error instanceof InputTooLongException) {
              // LangChain4j's own policy for long inputs: windows of 510 tokens, averaged.
              try {
                return results.complete(index, delegate.embed(texts.get(index)).content().vector());
              } catch (RuntimeException e) {
                return results.fail(index, e);
              }
            }
            return results.fail(index, error);
          }
        });
  }

  private void runDelegate(List<String> texts, ItemResults<float[]> results) {
    List<TextSegment> segments = new ArrayList<>(texts.size());
    for (String t : texts) {
      segments.add(TextSegment.from(t));
    }
    List<Embedding> embeddings = delegate.embedAll(segments).content();
    if (embeddings.size() != texts.size()) {
      throw new IllegalStateException(
          "the wrapped model returned " + embeddings.size() + " embeddings for " + texts.size());
    }
    for (int i = 0; i < texts.size(); i++) {
      results.complete(i, embeddings.get(i).vector());
    }
  }

  private static String safeModelName(EmbeddingModel m) {
    try {
      String n = m.modelName();
      return n == null || n.isBlank() ? m.getClass().getSimpleName() : n;
    } catch (RuntimeException e) {
      return m.getClass().getSimpleName();
    }
  }

  /**
   * Settings of a {@link BatchingEmbeddingModel}; each is checked when given.
   *
   * <table>
   *   <caption>Settings</caption>
   *   <tr><th>setting</th><th>default</th><th>range</th></tr>
   *   <tr><td>name</td><td>{@code "embeddings"}</td><td>unique per optimizer</td></tr>
   *   <tr><td>workers</td><td>1</td><td>[1, 64] batches in flight at once</td></tr>
   *   <tr><td>intraOpThreads</td><td>processors / workers</td><td>[1, 256]; given, it pins the
   *       knob {@code optimizer.ai.NAME.intra_op_threads}</td></tr>
   *   <tr><td>intraOpThreadsTuning</td><td>true</td><td>false: no thread-count knob</td></tr>
   *   <tr><td>maxBatchSize, maxDelay, timeout, tuning</td><td colspan="2">as {@link
   *       InferenceBatcherBuilder}</td></tr>
   *   <tr><td>embedder</td><td>loaded for known in-process models</td><td>an {@link
   *       OnnxTextEmbedder} to run instead of the delegate</td></tr>
   * </table>
   */
  public static final class Builder {
    private final Optimizer optimizer;
    private final EmbeddingModel delegate;
    private String name;
    private int workers = 1;
    private Integer intraOpThreads;
    private Integer maxBatchSize;
    private Duration maxDelay;
    private Duration timeout;
    private Boolean tuning;
    private boolean intraOpThreadsTuning = true;
    private OnnxTextEmbedder embedder;
    // How a known in-process model's files are loaded; tests watch what it loads.
    BiFunction<EmbeddingModel, Integer, OnnxTextEmbedder> loader = InProcessModels::embedderFor;

    private Builder(Optimizer optimizer, EmbeddingModel delegate) {
      this.optimizer = optimizer;
      this.delegate = delegate;
    }

    /** Names the batcher (knobs {@code optimizer.ai.NAME.*}); default {@code "embeddings"}. */
    public Builder name(String name) {
      this.name = Checks.notBlank("name", name);
      return this;
    }

    /** Sets how many batches may run at once, in {@code [1, 64]}; default 1. */
    public Builder workers(int workers) {
      this.workers = Checks.inRange("workers", workers, 1, 64);
      return this;
    }

    /**
     * Sets ONNX Runtime's intra-op threads, in {@code [1, 256]}; default processors / workers.
     * Given, the thread-count knob starts pinned at it (the engine leaves it until someone unpins
     * it).
     */
    public Builder intraOpThreads(int threads) {
      this.intraOpThreads = Checks.inRange("intraOpThreads", threads, 1, 256);
      return this;
    }

    /**
     * Whether ONNX Runtime's intra-op thread count is a knob of the batcher (tuned with its other
     * knobs, each change a new session swapped in); default true. Only with tensor batching, and
     * not for an {@link #embedder} built with {@code intraOpThreadsTuning(false)}.
     */
    public Builder intraOpThreadsTuning(boolean tuning) {
      this.intraOpThreadsTuning = tuning;
      return this;
    }

    /** See {@link InferenceBatcherBuilder#maxBatchSize}. */
    public Builder maxBatchSize(int maxBatchSize) {
      this.maxBatchSize = Checks.inRange("maxBatchSize", maxBatchSize, 1, 4096);
      return this;
    }

    /** See {@link InferenceBatcherBuilder#maxDelay}. */
    public Builder maxDelay(Duration maxDelay) {
      this.maxDelay = Checks.inRange("maxDelay", maxDelay, Duration.ZERO, Duration.ofSeconds(1));
      return this;
    }

    /** See {@link InferenceBatcherBuilder#timeout}. */
    public Builder timeout(Duration timeout) {
      this.timeout = Checks.inRange("timeout", timeout, Duration.ofMillis(1), Duration.ofHours(1));
      return this;
    }

    /** See {@link InferenceBatcherBuilder#tuning}. */
    public Builder tuning(boolean tuning) {
      this.tuning = tuning;
      return this;
    }

    /**
     * Runs batches on {@code embedder} instead of the delegate (which then only serves inputs the
     * embedder finds too long). The decorator closes it (a failed {@link #build()} does not).
     */
    public Builder embedder(OnnxTextEmbedder embedder) {
      this.embedder = Checks.notNull("embedder", embedder);
      return this;
    }

    /**
     * Builds the decorator; an in-process model's ONNX session is loaded now.
     *
     * @throws IllegalStateException if the optimizer is closed (then nothing is loaded)
     */
    public BatchingEmbeddingModel build() {
      return new BatchingEmbeddingModel(this);
    }
  }
}
