package dev.optimizer.runtime.tuning;

import dev.optimizer.api.internal.Checks;
import java.time.Duration;

/**
 * The rhythm of the tuning engine. Immutable; built with {@link #builder()}.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th><th>meaning</th></tr>
 *   <tr><td>tickInterval</td><td>1s</td><td>[1ms, 1min]</td><td>how often the engine looks at
 *       its knobs</td></tr>
 *   <tr><td>minWindow</td><td>10s</td><td>[1ms, 1h]</td><td>shortest baseline or trial
 *       window; after an inconclusive trial a knob's windows double, up to 4 × minWindow (within
 *       maxWindow), and after a conclusive one they halve again</td></tr>
 *   <tr><td>maxWindow</td><td>2min</td><td>[minWindow, 24h]</td><td>longest window; a signal
 *       that has not gathered the judge's minimum by then is <em>sparse</em> and tuning
 *       waits</td></tr>
 *   <tr><td>settle</td><td>2s</td><td>[0, 1h]</td><td>time after a change whose measurements
 *       are discarded (a pool takes time to open connections)</td></tr>
 *   <tr><td>maxBackoffWindows</td><td>16</td><td>[0, 1024]</td><td>most baseline windows waited
 *       between trials after a run of trials that did not pay</td></tr>
 *   <tr><td>decisionHistory</td><td>1000</td><td>[1, 1000000]</td><td>decisions kept for the
 *       report</td></tr>
 * </table>
 */
public final class TuningSettings {
  private final Duration tickInterval;
  private final Duration minWindow;
  private final Duration maxWindow;
  private final Duration settle;
  private final int maxBackoffWindows;
  private final int decisionHistory;

  private TuningSettings(Builder b) {
    this.tickInterval = b.tickInterval;
    this.minWindow = b.minWindow;
    this.maxWindow = b.maxWindow;
    this.settle = b.settle;
    this.maxBackoffWindows = b.maxBackoffWindows;
    this.decisionHistory = b.decisionHistory;
  }

  /** The defaults. */
  public static TuningSettings defaults() {
    return builder().build();
  }

  /** Starts from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** How often the engine looks at its knobs. */
  public Duration tickInterval() {
    return tickInterval;
  }

  /** Shortest window. */
  public Duration minWindow() {
    return minWindow;
  }

  /** Longest window before a signal counts as sparse. */
  public Duration maxWindow() {
    return maxWindow;
  }

  /** Time after a change whose measurements are discarded. */
  public Duration settle() {
    return settle;
  }

  /** Most windows waited between trials after trials that did not pay. */
  public int maxBackoffWindows() {
    return maxBackoffWindows;
  }

  /** Decisions kept for the report. */
  public int decisionHistory() {
    return decisionHistory;
  }

  /** Builds {@link TuningSettings}; each setting is checked when given, the pair at build(). */
  public static final class Builder {
    private Duration tickInterval = Duration.ofSeconds(1);
    private Duration minWindow = Duration.ofSeconds(10);
    private Duration maxWindow = Duration.ofMinutes(2);
    private Duration settle = Duration.ofSeconds(2);
    private int maxBackoffWindows = 16;
    private int decisionHistory = 1000;

    private Builder() {}

    /** How often the engine looks at its knobs, in {@code [1ms, 1min]}. */
    public Builder tickInterval(Duration tickInterval) {
      this.tickInterval =
          Checks.inRange("tickInterval", tickInterval, Duration.ofMillis(1), Duration.ofMinutes(1));
      return this;
    }

    /** Shortest window, in {@code [1ms, 1h]}. */
    public Builder minWindow(Duration minWindow) {
      this.minWindow =
          Checks.inRange("minWindow", minWindow, Duration.ofMillis(1), Duration.ofHours(1));
      return this;
    }

    /** Longest window, in {@code [1ms, 24h]} and not below minWindow (checked at build()). */
    public Builder maxWindow(Duration maxWindow) {
      this.maxWindow =
          Checks.inRange("maxWindow", maxWindow, Duration.ofMillis(1), Duration.ofHours(24));
      return this;
    }

    /** Time after a change whose measurements are discarded, in {@code [0, 1h]}. */
    public Builder settle(Duration settle) {
      this.settle = Checks.inRange("settle", settle, Duration.ZERO, Duration.ofHours(1));
      return this;
    }

    /** Most windows waited between unpaid trials, in {@code [0, 1024]}. */
    public Builder maxBackoffWindows(int maxBackoffWindows) {
      this.maxBackoffWindows = Checks.inRange("maxBackoffWindows", maxBackoffWindows, 0, 1024);
      return this;
    }

    /** Decisions kept for the report, in {@code [1, 1000000]}. */
    public Builder decisionHistory(int decisionHistory) {
      this.decisionHistory = Checks.inRange("decisionHistory", decisionHistory, 1, 1_000_000);
      return this;
    }

    /**
     * Builds the settings.
     *
     * @throws IllegalArgumentException if maxWindow is shorter than minWindow
     */
    public TuningSettings build() {
      if (maxWindow.compareTo(minWindow) < 0) {
        throw new IllegalArgumentException(
            "maxWindow must be >= minWindow (" + minWindow + "), but was " + maxWindow);
      }
      return new TuningSettings(this);
    }
  }
}
