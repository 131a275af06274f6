package dev.optimizer.ai.inference.djl;

import ai.djl.inference.Predictor;
import ai.djl.repository.zoo.ZooModel;
import dev.optimizer.ai.inference.InferenceBatcher;
import dev.optimizer.ai.inference.InferenceBatcherBuilder;
import dev.optimizer.api.internal.Checks;
import dev.optimizer.runtime.Optimizer;
import java.util.function.Supplier;

/**
 * Dynamic batching for a DJL model inside the application: concurrent single {@code predict} calls
 * become {@code batchPredict} calls on a pool of predictors, one predictor per worker.
 *
 * <pre>{@code
 * try (ZooModel<String, float[]> model = criteria.loadModel();
 *     InferenceBatcher<String, float[]> embed =
 *         DjlBatching.batcher(optimizer, model, 1).name("minilm").maxBatchSize(32).build()) {
 *   float[] vector = embed.call("How do I learn Java?"); // from any number of threads
 * }
 * }</pre>
 *
 * <p>The batcher owns the predictors it creates and closes them when it is closed; the model stays
 * the application's. Name the model in telemetry with the builder's {@code modelName} and {@code
 * providerName} (the engine, e.g. {@code "onnxruntime"}). Each worker runs one batch at a time, so
 * the number of workers is the number of forward passes that may run at once: on a CPU, one or two
 * workers with the engine's intra-op threads usually beat more.
 *
 * <p>One caveat of DJL's ONNX Runtime engine, not of this class: it creates the process's single
 * {@code OrtEnvironment} itself and fails if anything (LangChain4j's in-process embedding models,
 * our {@code OnnxTextEmbedder}) created it first, so load the DJL model before those.
 */
public final class DjlBatching {
  private DjlBatching() {}

  /**
   * A batcher builder over {@code workers} new predictors of {@code model}.
   *
   * @throws IllegalArgumentException if {@code workers} is not in [1, 256]
   */
  public static <I, O> InferenceBatcherBuilder<I, O> batcher(
      Optimizer optimizer, ZooModel<I, O> model, int workers) {
    Checks.notNull("model", model);
    return batcher(optimizer, model::newPredictor, workers);
  }

  /**
   * A batcher builder over {@code workers} predictors from {@code predictors}, called once per
   * worker when the builder's {@code build()} runs (so a bad setting given to the builder creates
   * none). If creating one, or the build, fails, those already created are closed.
   *
   * @throws IllegalArgumentException if {@code workers} is not in [1, 256]
   */
  public static <I, O> InferenceBatcherBuilder<I, O> batcher(
      Optimizer optimizer, Supplier<Predictor<I, O>> predictors, int workers) {
    Checks.notNull("optimizer", optimizer);
    Checks.notNull("predictors", predictors);
    Checks.inRange("workers", workers, 1, 256);
    return InferenceBatcher.builder(
        optimizer, workers, () -> new PredictorModel<>(predictors.get()));
  }
}
