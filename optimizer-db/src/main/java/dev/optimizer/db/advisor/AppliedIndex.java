package dev.optimizer.db.advisor;

/**
 * What became of one recommendation when applied.
 *
 * @param recommendation the recommendation
 * @param outcome kept, reverted, failed or skipped
 * @param reason the judge's evidence, or why it failed or was skipped
 * @param medianNanosBefore median latency of the gaining statements before; -1 if not measured
 * @param medianNanosAfter median latency with the index; -1 if not measured
 */
public record AppliedIndex(
    IndexRecommendation recommendation,
    Outcome outcome,
    String reason,
    double medianNanosBefore,
    double medianNanosAfter) {

  /** What became of it. */
  public enum Outcome {
    /** Built, and the measured latency of the statements it serves dropped: it stays. */
    KEPT,
    /** Built, but no real gain or a regression was measured: dropped again. */
    REVERTED,
    /** The build failed (lock timeout, statement timeout, ...): nothing is left behind. */
    FAILED,
    /** Not attempted (another instance is applying, or nothing to measure). */
    SKIPPED
  }
}
