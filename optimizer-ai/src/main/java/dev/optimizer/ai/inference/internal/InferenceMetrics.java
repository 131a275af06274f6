package dev.optimizer.ai.inference.internal;

import dev.optimizer.ai.inference.DeadlineExceededException;
import dev.optimizer.ai.inference.InferenceFailedException;
import dev.optimizer.ai.internal.ErrorTypes;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import java.util.List;

/**
 * The OpenTelemetry instruments of one inference batcher: {@code gen_ai.client.operation.duration}
 * per caller (semantic conventions: {@code gen_ai.operation.name}, {@code gen_ai.provider.name},
 * {@code gen_ai.request.model}, {@code error.type}), {@code optimizer.ai.batch.size} per batch sent
 * to a model, and {@code optimizer.ai.queue.delay} per item (time from submit to its batch
 * starting). {@code error.type} is what actually failed (the module's one rule, {@link
 * ErrorTypes}). Inputs and outputs are never recorded.
 */
public final class InferenceMetrics {
  private static final AttributeKey<String> OPERATION =
      AttributeKey.stringKey("gen_ai.operation.name");
  private static final AttributeKey<String> PROVIDER =
      AttributeKey.stringKey("gen_ai.provider.name");
  private static final AttributeKey<String> MODEL = AttributeKey.stringKey("gen_ai.request.model");
  private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  private static final AttributeKey<String> BATCHER =
      AttributeKey.stringKey("optimizer.ai.batcher");

  private static final List<Double> SECONDS =
      List.of(
          0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12,
          10.24, 20.48, 40.96, 81.92);
  private static final ErrorTypes ERROR_TYPES =
      new ErrorTypes(DeadlineExceededException.class, InferenceFailedException.class);

  private static final List<Long> SIZES = List.of(1L, 2L, 4L, 8L, 16L, 32L, 64L, 128L, 256L, 512L);

  private final DoubleHistogram duration;
  private final LongHistogram batchSize;
  private final DoubleHistogram queueDelay;
  private final Attributes operation;
  private final Attributes batcher;

  /** Instruments for one batcher. */
  public InferenceMetrics(
      Meter meter, String batcherName, String operationName, String provider, String model) {
    this.duration =
        meter
            .histogramBuilder("gen_ai.client.operation.duration")
            .setUnit("s")
            .setDescription("GenAI operation duration.")
            .setExplicitBucketBoundariesAdvice(SECONDS)
            .build();
    this.batchSize =
        meter
            .histogramBuilder("optimizer.ai.batch.size")
            .ofLongs()
            .setUnit("{item}")
            .setDescription("Items per batch sent to an in-process model.")
            .setExplicitBucketBoundariesAdvice(SIZES)
            .build();
    this.queueDelay =
        meter
            .histogramBuilder("optimizer.ai.queue.delay")
            .setUnit("s")
            .setDescription("Time an item waited between submit and the start of its batch.")
            .setExplicitBucketBoundariesAdvice(SECONDS)
            .build();
    var op = Attributes.builder().put(OPERATION, operationName).put(PROVIDER, provider);
    if (model != null) {
      op.put(MODEL, model);
    }
    this.operation = op.build();
    this.batcher = Attributes.of(BATCHER, batcherName, OPERATION, operationName);
  }

  /** Records one caller's operation, from submit to its result or error. */
  public void operation(long nanos, Throwable error) {
    Attributes a =
        error == null ? operation : operation.toBuilder().put(ERROR_TYPE, errorType(error)).build();
    duration.record(nanos / 1e9, a);
  }

  /** Records a batch handed to a model worker. */
  public void batch(int size) {
    batchSize.record(size, batcher);
  }

  /** Records the time one item waited for its batch to start. */
  public void queueDelay(long nanos) {
    queueDelay.record(nanos / 1e9, batcher);
  }

  /**
   * The {@code error.type} of a failed operation: what the model (or the queue) actually failed
   * with, by the module's one rule ({@link ErrorTypes}), as the chat decorators report it. Our
   * {@link InferenceFailedException} only carries the model's exception and is looked through; a
   * deadline that passed in the queue is {@code "timeout"}.
   */
  static String errorType(Throwable error) {
    return ERROR_TYPES.of(error);
  }
}
