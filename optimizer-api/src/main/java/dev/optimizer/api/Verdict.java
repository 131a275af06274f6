package dev.optimizer.api;

/** The judge's answer about a trial, compared with its baseline. */
public enum Verdict {
  /** The trial is significantly better on the objective and no worse on any limit. */
  KEEP,
  /** The trial is significantly worse on the objective or on a limit. */
  REVERT,
  /** The evidence is too thin or the difference too small to tell. */
  INCONCLUSIVE
}
