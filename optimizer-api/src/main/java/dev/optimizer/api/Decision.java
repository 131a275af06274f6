package dev.optimizer.api;

import java.time.Instant;

/**
 * The record of one trial: which knob moved from what to what, the judge's verdict with its
 * evidence, and whether the new value stayed.
 *
 * @param knob the knob's name
 * @param controller the controller that proposed the change
 * @param from the value before the trial, formatted
 * @param to the value tried, formatted
 * @param fromNumber {@code from} on the knob's numeric line
 * @param toNumber {@code to} on the knob's numeric line
 * @param verdict the judge's verdict
 * @param kept whether the knob stayed at {@code to}
 * @param evidence the numbers behind the verdict
 * @param time when the verdict was reached
 * @param round the tuning round of this knob (1 for the first trial)
 */
public record Decision(
    String knob,
    String controller,
    String from,
    String to,
    double fromNumber,
    double toNumber,
    Verdict verdict,
    boolean kept,
    Evidence evidence,
    Instant time,
    long round) {

  /** A one-line description, e.g. {@code db.pool.max_size 10 -> 14: KEEP (kept) ...}. */
  public String summary() {
    return knob
        + " "
        + from
        + " -> "
        + to
        + ": "
        + verdict
        + (kept ? " (kept)" : " (reverted)")
        + " — "
        + evidence.reason();
  }
}
