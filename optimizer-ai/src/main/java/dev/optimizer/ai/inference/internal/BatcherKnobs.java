package dev.optimizer.ai.inference.internal;

/**
 * The names of an inference batcher's knobs, {@code optimizer.ai.NAME.max_batch_size}, {@code
 * optimizer.ai.NAME.max_delay_us} and those of its model ({@code
 * optimizer.ai.NAME.intra_op_threads}): the batcher registers them, and a wrap looking for a free
 * batcher name asks whether they are taken.
 */
public final class BatcherKnobs {
  private BatcherKnobs() {}

  /** The knob of the largest batch sent to a model by batcher {@code batcher}. */
  public static String maxBatchSize(String batcher) {
    return name(batcher, "max_batch_size");
  }

  /** The knob of the longest wait for company, in microseconds, of batcher {@code batcher}. */
  public static String maxDelayMicros(String batcher) {
    return name(batcher, "max_delay_us");
  }

  /** The suffix of the knob of an ONNX model's intra-op threads. */
  public static final String INTRA_OP_THREADS = "intra_op_threads";

  /** The knob of an ONNX model's intra-op threads run by batcher {@code batcher}. */
  public static String intraOpThreads(String batcher) {
    return name(batcher, INTRA_OP_THREADS);
  }

  /** A knob of the model run by batcher {@code batcher}: {@code optimizer.ai.NAME.SUFFIX}. */
  public static String model(String batcher, String suffix) {
    return name(batcher, suffix);
  }

  private static String name(String batcher, String knob) {
    return "optimizer.ai." + batcher + "." + knob;
  }
}
