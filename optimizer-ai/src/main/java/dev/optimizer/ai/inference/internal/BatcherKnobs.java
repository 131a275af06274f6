package dev.optimizer.ai.inference.internal;

/**
 * The names of an inference batcher's knobs, {@code optimizer.ai.NAME.max_batch_size} and {@code
 * optimizer.ai.NAME.max_delay_us}: the batcher registers them, and a wrap looking for a free
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

  private static String name(String batcher, String knob) {
    return "optimizer.ai." + batcher + "." + knob;
  }
}
