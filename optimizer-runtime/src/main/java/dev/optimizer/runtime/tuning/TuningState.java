package dev.optimizer.runtime.tuning;

/**
 * Where the tuning of one knob stands, for reports and tests.
 *
 * @param knob the knob's name
 * @param phase the engine's phase for the knob
 * @param detail a sentence: what it waits for, or why it is frozen
 * @param rounds trials judged so far
 */
public record TuningState(String knob, Phase phase, String detail, long rounds) {

  /** The phases of a knob's tuning cycle. */
  public enum Phase {
    /** Measuring the current value. */
    BASELINE,
    /** A trial value was applied; waiting for the system to settle before measuring it. */
    SETTLING,
    /**
     * Measuring the trial value, or (for a cheaper trial found no worse) the previous value once
     * more before keeping it.
     */
    TRIAL,
    /** Waiting: the signal is too sparse, errors exceed the limit, or trials stopped paying. */
    WAITING,
    /** The knob is pinned or the mode does not allow changes. */
    PAUSED
  }
}
