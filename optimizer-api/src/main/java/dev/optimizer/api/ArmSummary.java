package dev.optimizer.api;

/**
 * A summary of one arm of a trial (baseline or trial) for the evidence of a {@link Decision}.
 *
 * @param operations operations measured
 * @param errors failed operations
 * @param p50Millis median latency in milliseconds
 * @param tailPercentile the percentile reported as tail, e.g. 99
 * @param tailMillis latency at {@code tailPercentile} in milliseconds
 * @param throughputPerSecond operations per second over the arm
 * @param seconds how long the arm lasted
 */
public record ArmSummary(
    long operations,
    long errors,
    double p50Millis,
    double tailPercentile,
    double tailMillis,
    double throughputPerSecond,
    double seconds) {

  /** Summarizes a window, reporting the tail at the given percentile. */
  public static ArmSummary of(Window w, double tailPercentile) {
    return new ArmSummary(
        w.operations(),
        w.errors(),
        w.latencyPercentileNanos(50) / 1e6,
        tailPercentile,
        w.latencyPercentileNanos(tailPercentile) / 1e6,
        w.throughputPerSecond(),
        w.elapsed().toNanos() / 1e9);
  }

  /** The error rate of this arm. */
  public double errorRate() {
    return operations == 0 ? 0 : (double) errors / operations;
  }
}
