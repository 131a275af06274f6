package dev.optimizer.ai.inference.quantize;

/**
 * The quantized model lost more accuracy than the configured limit allows; the output file was not
 * written (or replaced).
 */
public final class AccuracyLossException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final double measured;
  private final double limit;

  AccuracyLossException(String model, double measured, double limit, int samples) {
    super(
        String.format(
            java.util.Locale.ROOT,
            "quantized model '%s' refused: mean cosine against float32 on %d calibration inputs is"
                + " %.5f, below minMeanCosine=%.5f; the output was not written",
            model,
            samples,
            measured,
            limit));
    this.measured = measured;
    this.limit = limit;
  }

  /** The mean cosine measured on the calibration set. */
  public double measured() {
    return measured;
  }

  /** The configured minimum mean cosine. */
  public double limit() {
    return limit;
  }
}
