package dev.optimizer.ai.inference;

import dev.optimizer.api.Knob;
import dev.optimizer.api.internal.Checks;
import dev.optimizer.runtime.Optimizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Settings of an {@link InferenceBatcher}, each checked when given; a setting may be given once.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th></tr>
 *   <tr><td>name</td><td>{@code "inference"}</td><td>unique per optimizer (names its knobs)</td></tr>
 *   <tr><td>maxBatchSize</td><td>64</td><td>[1, 4096]; the tuner moves it within [1, this]</td></tr>
 *   <tr><td>maxDelay</td><td>2 ms</td><td>[0, 1 s]; the tuner moves it within [0, this]</td></tr>
 *   <tr><td>maxQueuedItems</td><td>10000</td><td>[1, 10000000]</td></tr>
 *   <tr><td>timeout</td><td>30 s</td><td>[1 ms, 1 h]: default deadline of a call</td></tr>
 *   <tr><td>tuning</td><td>true</td><td>whether the engine tunes maxDelay, maxBatchSize and the
 *       model knobs</td></tr>
 *   <tr><td>modelKnob</td><td>none</td><td>knobs of the model itself, e.g. an {@code
 *       OnnxTextEmbedder}'s intra-op threads</td></tr>
 *   <tr><td>operationName</td><td>{@code "embeddings"}</td><td>{@code gen_ai.operation.name}</td></tr>
 *   <tr><td>providerName</td><td>{@code "onnxruntime"}</td><td>{@code gen_ai.provider.name}</td></tr>
 *   <tr><td>modelName</td><td>none</td><td>{@code gen_ai.request.model}</td></tr>
 *   <tr><td>splitFailedBatchWhen</td><td>every failure</td><td>which failures of a whole batch
 *       are re-run one input at a time</td></tr>
 * </table>
 *
 * <p>Workers: between 1 and 256.
 *
 * @param <I> the input type
 * @param <O> the output type
 */
public final class InferenceBatcherBuilder<I, O> {

  static final int MAX_BATCH_SIZE = 4096;
  static final int MAX_WORKERS = 256;
  private static final Pattern SUFFIX = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  final Optimizer optimizer;
  // Either the workers themselves, or how many to make with workerFactory in build().
  private final List<BatchModel<I, O>> workerList;
  private final int workerCount;
  private final Supplier<? extends BatchModel<I, O>> workerFactory;
  String name;
  Integer maxBatchSize;
  Duration maxDelay;
  Integer maxQueuedItems;
  Duration timeout;
  Boolean tuning;
  String operationName;
  String providerName;
  String modelName;
  Predicate<? super Throwable> splitWhen;
  // Suffix -> factory of the knob, in the order given.
  final Map<String, Function<String, ? extends Knob<?>>> modelKnobs = new LinkedHashMap<>();

  InferenceBatcherBuilder(Optimizer optimizer, List<BatchModel<I, O>> workers) {
    Checks.inRange("workers", workers.size(), 1, MAX_WORKERS);
    for (BatchModel<I, O> w : workers) {
      Checks.notNull("worker", w);
    }
    this.optimizer = optimizer;
    this.workerList = workers;
    this.workerCount = workers.size();
    this.workerFactory = null;
  }

  InferenceBatcherBuilder(
      Optimizer optimizer, int workers, Supplier<? extends BatchModel<I, O>> factory) {
    this.workerCount = Checks.inRange("workers", workers, 1, MAX_WORKERS);
    this.optimizer = optimizer;
    this.workerList = null;
    this.workerFactory = factory;
  }

  /** Names the batcher in errors, knobs ({@code optimizer.ai.NAME.*}) and telemetry. */
  public InferenceBatcherBuilder<I, O> name(String name) {
    Checks.notSetBefore("name", this.name != null);
    this.name = Checks.notBlank("name", name);
    return this;
  }

  /** Sets the largest batch handed to a worker, in {@code [1, 4096]}; default 64. */
  public InferenceBatcherBuilder<I, O> maxBatchSize(int maxBatchSize) {
    Checks.notSetBefore("maxBatchSize", this.maxBatchSize != null);
    this.maxBatchSize = Checks.inRange("maxBatchSize", maxBatchSize, 1, MAX_BATCH_SIZE);
    return this;
  }

  /**
   * Sets the longest time a batch waits for company while a worker is free, in {@code [0, 1s]};
   * default 2 ms. With arrivals too sparse to fill a batch within it, calls go at once.
   */
  public InferenceBatcherBuilder<I, O> maxDelay(Duration maxDelay) {
    Checks.notSetBefore("maxDelay", this.maxDelay != null);
    this.maxDelay = Checks.inRange("maxDelay", maxDelay, Duration.ZERO, Duration.ofSeconds(1));
    return this;
  }

  /**
   * Sets how many calls may wait before submit is refused, in {@code [1, 10^7]} and at least {@code
   * maxBatchSize} (checked at {@link #build()}); default 10000.
   */
  public InferenceBatcherBuilder<I, O> maxQueuedItems(int maxQueuedItems) {
    Checks.notSetBefore("maxQueuedItems", this.maxQueuedItems != null);
    this.maxQueuedItems = Checks.inRange("maxQueuedItems", maxQueuedItems, 1, 10_000_000);
    return this;
  }

  /** Sets the default deadline of a call, in {@code [1ms, 1h]}; default 30 s. */
  public InferenceBatcherBuilder<I, O> timeout(Duration timeout) {
    Checks.notSetBefore("timeout", this.timeout != null);
    this.timeout = Checks.inRange("timeout", timeout, Duration.ofMillis(1), Duration.ofHours(1));
    return this;
  }

  /**
   * Whether the tuning engine moves {@code maxDelay}, {@code maxBatchSize} and the {@link
   * #modelKnob model knobs} (in {@link dev.optimizer.api.Mode#AUTO}, as judged trials). Default
   * true; false only registers the knobs.
   */
  public InferenceBatcherBuilder<I, O> tuning(boolean tuning) {
    Checks.notSetBefore("tuning", this.tuning != null);
    this.tuning = tuning;
    return this;
  }

  /**
   * Adds a knob of the model the workers run, such as an {@code OnnxTextEmbedder}'s intra-op
   * threads: {@code .modelKnob("intra_op_threads", embedder::intraOpThreadsKnob)}. At {@link
   * #build()} {@code factory} is given the knob's name, {@code optimizer.ai.NAME.SUFFIX}, and
   * builds the knob; the batcher tunes it with its own knobs, as judged trials on the same signal
   * and objective (one trial at a time on that signal), or only registers it when {@code tuning} is
   * off. A knob that comes back pinned stays where it is until someone unpins it. The knob leaves
   * the optimizer when the batcher closes.
   *
   * @param suffix lower case letters, digits and {@code _}, starting with a letter; not {@code
   *     max_batch_size} or {@code max_delay_us}, and given once
   */
  public InferenceBatcherBuilder<I, O> modelKnob(
      String suffix, Function<String, ? extends Knob<?>> factory) {
    Checks.notNull("suffix", suffix);
    Checks.notNull("factory", factory);
    if (!SUFFIX.matcher(suffix).matches()) {
      throw new IllegalArgumentException(
          "modelKnob suffix must be lower case letters, digits and _ (a letter first, at most 64),"
              + " but was '"
              + suffix
              + "'");
    }
    if (suffix.equals("max_batch_size") || suffix.equals("max_delay_us")) {
      throw new IllegalArgumentException(
          "modelKnob suffix '" + suffix + "' is one of the batcher's own knobs");
    }
    Checks.notSetBefore("modelKnob " + suffix, modelKnobs.containsKey(suffix));
    modelKnobs.put(suffix, factory);
    return this;
  }

  /** Sets {@code gen_ai.operation.name}; default {@code "embeddings"}. */
  public InferenceBatcherBuilder<I, O> operationName(String operationName) {
    Checks.notSetBefore("operationName", this.operationName != null);
    this.operationName = Checks.notBlank("operationName", operationName);
    return this;
  }

  /** Sets {@code gen_ai.provider.name}; default {@code "onnxruntime"}. */
  public InferenceBatcherBuilder<I, O> providerName(String providerName) {
    Checks.notSetBefore("providerName", this.providerName != null);
    this.providerName = Checks.notBlank("providerName", providerName);
    return this;
  }

  /** Sets {@code gen_ai.request.model}; not recorded if not given. */
  public InferenceBatcherBuilder<I, O> modelName(String modelName) {
    Checks.notSetBefore("modelName", this.modelName != null);
    this.modelName = Checks.notBlank("modelName", modelName);
    return this;
  }

  /**
   * Decides which failures of a whole batch are re-run one input at a time. When a worker throws
   * for a batch of more than one input, the batcher asks {@code itemSpecific} about what it threw:
   * true (the failure may be caused by one input: a request the model refused, a tokenizer that
   * breaks on one text) re-runs each unsettled input alone, so that only the bad one fails; false
   * (the failure is the model's or the service's: a rate limit, an overloaded or unreachable
   * server, a bad credential) fails every unsettled input of the batch with it at once, since
   * running them alone would only send the service more requests when it can least take them. While
   * inputs are re-run alone, the first that fails with a failure {@code itemSpecific} calls false
   * stops the re-runs: the inputs not yet run fail with it too.
   *
   * <p>The default calls every failure item-specific: right for an in-process model, where a re-run
   * costs only local compute and one bad input is the likely cause. A batcher over a remote service
   * should name what is the service's; {@code BatchingEmbeddingModel} does that for a LangChain4j
   * model. A predicate that throws counts as true: the inputs are re-run alone, which can cost
   * requests but never fails a caller for another's input.
   */
  public InferenceBatcherBuilder<I, O> splitFailedBatchWhen(
      Predicate<? super Throwable> itemSpecific) {
    Checks.notSetBefore("splitFailedBatchWhen", this.splitWhen != null);
    this.splitWhen = Checks.notNull("splitFailedBatchWhen", itemSpecific);
    return this;
  }

  /**
   * Builds the batcher; it is closed with the optimizer. Workers from a factory ({@link
   * InferenceBatcher#builder(Optimizer, int, Supplier)}) are made now, and closed again if the
   * build fails (a knob name already taken, the optimizer closed); workers given as such stay the
   * caller's when it fails.
   *
   * @throws IllegalArgumentException if another knob already has one of this batcher's names
   * @throws IllegalStateException if the optimizer is closed (then no worker is made and nothing
   *     started)
   */
  public InferenceBatcher<I, O> build() {
    name = name == null ? "inference" : name;
    maxBatchSize = maxBatchSize == null ? 64 : maxBatchSize;
    maxDelay = maxDelay == null ? Duration.ofMillis(2) : maxDelay;
    maxQueuedItems = maxQueuedItems == null ? 10_000 : maxQueuedItems;
    if (maxQueuedItems < maxBatchSize) {
      // Refused, not raised quietly: a queue shorter than a batch could never fill one.
      throw new IllegalArgumentException(
          "maxQueuedItems must be in [maxBatchSize ("
              + maxBatchSize
              + "), 10000000], but was "
              + maxQueuedItems);
    }
    timeout = timeout == null ? Duration.ofSeconds(30) : timeout;
    tuning = tuning == null || tuning;
    operationName = operationName == null ? "embeddings" : operationName;
    providerName = providerName == null ? "onnxruntime" : providerName;
    splitWhen = splitWhen == null ? e -> true : splitWhen;
    // Before any worker is made (a DJL predictor, an ONNX session each) or anything started: the
    // optimizer would only refuse the batcher afterwards, and all of it be undone.
    InferenceBatcher.refuseIfClosed(optimizer, name);
    if (workerFactory == null) {
      return new InferenceBatcher<>(this, workerList);
    }
    List<BatchModel<I, O>> made = new ArrayList<>(workerCount);
    try {
      for (int i = 0; i < workerCount; i++) {
        made.add(Checks.notNull("worker", workerFactory.get()));
      }
      return new InferenceBatcher<>(this, made);
    } catch (RuntimeException | Error e) {
      for (BatchModel<I, O> w : made) {
        try {
          w.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }
}
