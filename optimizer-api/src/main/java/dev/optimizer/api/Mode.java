package dev.optimizer.api;

/**
 * How much an optimizer component may do on its own. Each mode includes the one before it.
 *
 * <ul>
 *   <li>{@link #OFF}: a pure pass-through; nothing is measured and nothing changes.
 *   <li>{@link #OBSERVE}: signals are measured and reported.
 *   <li>{@link #RECOMMEND}: in addition, recommendations are produced with their evidence; no
 *       setting is changed.
 *   <li>{@link #AUTO}: in addition, knobs are changed as judged trials and reverted when they
 *       regress. Irreversible actions still need their own explicit opt-in.
 * </ul>
 */
public enum Mode {
  OFF,
  OBSERVE,
  RECOMMEND,
  AUTO;

  /** Whether signals are measured in this mode. */
  public boolean observes() {
    return this != OFF;
  }

  /** Whether recommendations are produced in this mode. */
  public boolean recommends() {
    return this == RECOMMEND || this == AUTO;
  }

  /** Whether knobs may be changed automatically in this mode. */
  public boolean applies() {
    return this == AUTO;
  }
}
