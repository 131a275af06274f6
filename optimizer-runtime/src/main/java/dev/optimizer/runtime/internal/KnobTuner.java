package dev.optimizer.runtime.internal;

import dev.optimizer.api.Controller;
import dev.optimizer.api.ControllerInput;
import dev.optimizer.api.Decision;
import dev.optimizer.api.Knob;
import dev.optimizer.api.Objective;
import dev.optimizer.api.Signal;
import dev.optimizer.api.Verdict;
import dev.optimizer.api.Window;
import dev.optimizer.runtime.judge.Judgement;
import dev.optimizer.runtime.tuning.TuningState;
import dev.optimizer.runtime.tuning.TuningState.Phase;
import java.util.Locale;

/**
 * The tuning cycle of one knob: measure a baseline window, ask the controller for a value, apply it
 * as a trial, let the system settle, measure a trial window, and let the judge decide. Called by
 * the engine on each tick, always from one thread at a time.
 *
 * <p>Safety rules kept here: proposals are re-clamped to the bounds and step limit whatever the
 * controller returns; no trial starts while the baseline's error rate exceeds the objective's limit
 * or while the signal is too sparse for the judge; after trials that do not pay, the tuner waits an
 * exponentially growing number of windows (capped) before the next one, and a direction that was
 * reverted is not tried again for 2^k windows after k reverts in a row; a knob that is pinned, or a
 * mode other than AUTO, abandons a running trial by restoring the previous value.
 */
final class KnobTuner<T extends Comparable<? super T>> {
  private final TuningEngine engine;
  private final Knob<T> knob;
  private final Signal signal;
  private final Controller controller;
  private final Objective objective;
  private final boolean judged;

  private Phase phase = Phase.BASELINE;
  private String detail = "collecting a baseline";
  private Signal.Cursor cursor;
  private long phaseStart;
  private Window baseline;
  private double trialFrom;
  private double trialTo;
  private long rounds;
  private int consecutiveUnpaid;
  private int waitWindows;
  private int bannedDirection;
  private int bannedWindows;
  private int revertsInDirection;
  private int lastRevertDirection;

  KnobTuner(
      TuningEngine engine,
      Knob<T> knob,
      Signal signal,
      Controller controller,
      Objective objective,
      boolean judged) {
    this.engine = engine;
    this.knob = knob;
    this.signal = signal;
    this.controller = controller;
    this.objective = objective;
    this.judged = judged;
  }

  Knob<T> knob() {
    return knob;
  }

  Signal signal() {
    return signal;
  }

  synchronized TuningState state() {
    return new TuningState(knob.name(), phase, detail, rounds);
  }

  /** Advances the cycle; returns a decision when a trial was judged on this tick. */
  synchronized Decision tick(long now) {
    if (knob.isPinned() || !engine.mode().applies()) {
      abandonTrial(knob.isPinned() ? "pinned" : "mode " + engine.mode() + " makes no changes");
      return null;
    }
    if (phase == Phase.PAUSED) {
      restartBaseline(now, "collecting a baseline");
    }
    switch (phase) {
      case SETTLING:
        if (now - phaseStart >= engine.settings().settle().toNanos()) {
          cursor = signal.open();
          phaseStart = now;
          if (baseline == null) {
            phase = Phase.BASELINE;
            detail = "collecting a baseline";
          } else {
            phase = Phase.TRIAL;
            detail = "measuring the trial " + format(trialFrom) + " -> " + format(trialTo);
          }
        }
        return null;
      case TRIAL:
        Window trial = readyWindow(now);
        if (trial == null) {
          return null;
        }
        return conclude(now, trial);
      default:
        Window w = readyWindow(now);
        if (w != null) {
          startTrialOrWait(now, w);
        }
        return null;
    }
  }

  /** The window since the cursor opened, once long and full enough; null while still gathering. */
  private Window readyWindow(long now) {
    if (cursor == null) {
      cursor = signal.open();
      phaseStart = now;
      return null;
    }
    long elapsed = now - phaseStart;
    if (elapsed < engine.settings().minWindow().toNanos()) {
      return null;
    }
    long needed = engine.judge().requiredSamplesPerArm(objective);
    if (cursor.operations() < needed) {
      if (elapsed >= engine.settings().maxWindow().toNanos()) {
        if (phase == Phase.TRIAL) {
          return cursor.read(); // the judge will call it inconclusive: too few samples
        }
        restartBaseline(
            now,
            String.format(
                Locale.ROOT,
                "signal too sparse: %d operations in %ds, the judge needs %d",
                cursor.operations(),
                elapsed / 1_000_000_000L,
                needed));
        phase = Phase.WAITING;
      }
      return null;
    }
    return cursor.read();
  }

  private void startTrialOrWait(long now, Window w) {
    if (w.errorRate() > objective.maxErrorRate()) {
      restartBaseline(
          now,
          String.format(
              Locale.ROOT,
              "frozen: error rate %.2f%% above the limit %.2f%%",
              w.errorRate() * 100,
              objective.maxErrorRate() * 100));
      phase = Phase.WAITING;
      return;
    }
    if (waitWindows > 0) {
      waitWindows--;
      restartBaseline(now, "backing off: " + (waitWindows + 1) + " more window(s) before a trial");
      phase = Phase.WAITING;
      return;
    }
    ControllerInput input = ControllerInput.of(knob, w, objective);
    double proposal = input.bounded(controller.propose(input)); // never trust the bounds to it
    double current = input.current();
    int direction = (int) Math.signum(proposal - current);
    if (direction == 0) {
      restartBaseline(now, "holding at " + knob.type().format(knob.value()));
      return;
    }
    if (bannedWindows > 0) {
      bannedWindows--;
      if (direction == bannedDirection) {
        restartBaseline(now, "direction recently reverted; holding");
        return;
      }
    }
    if (!judged) {
      apply(proposal);
      restartBaseline(now, "collecting a baseline");
      return;
    }
    if (!engine.acquireSignal(signal, this)) {
      restartBaseline(now, "waiting for another knob's trial on the same signal");
      return;
    }
    try {
      apply(proposal);
    } catch (RuntimeException e) {
      engine.releaseSignal(signal, this);
      engine.logApplyFailure(knob, proposal, e);
      restartBaseline(now, "could not apply " + format(proposal) + ": " + e.getMessage());
      phase = Phase.WAITING;
      return;
    }
    baseline = w;
    trialFrom = current;
    trialTo = proposal;
    cursor = null;
    phase = Phase.SETTLING;
    phaseStart = now;
    detail = "settling after " + format(trialFrom) + " -> " + format(trialTo);
  }

  private Decision conclude(long now, Window trial) {
    Judgement j = engine.judge().judge(baseline, trial, objective);
    int direction = trialTo > trialFrom ? 1 : -1;
    boolean preferred =
        (objective.preference() == Objective.Preference.LOWER && direction < 0)
            || (objective.preference() == Objective.Preference.HIGHER && direction > 0);
    boolean kept =
        j.verdict() == Verdict.KEEP || (j.verdict() == Verdict.INCONCLUSIVE && preferred);
    if (!kept) {
      revertTo(trialFrom);
    }
    rounds++;
    controller.onOutcome(trialFrom, trialTo, j.verdict(), kept);
    Decision d =
        new Decision(
            knob.name(),
            controller.name(),
            format(trialFrom),
            format(trialTo),
            trialFrom,
            trialTo,
            j.verdict(),
            kept,
            j.evidence(),
            engine.clock().instant(),
            rounds);
    engine.releaseSignal(signal, this);
    if (kept) {
      consecutiveUnpaid = j.verdict() == Verdict.KEEP ? 0 : consecutiveUnpaid;
      revertsInDirection = 0;
      // The trial window measured the value we now hold: it is the next baseline.
      Window next = trial;
      baseline = null;
      cursor = null;
      phase = Phase.BASELINE;
      phaseStart = now;
      detail = "collecting a baseline";
      startTrialOrWait(now, next);
    } else {
      consecutiveUnpaid++;
      waitWindows =
          Math.min(
              engine.settings().maxBackoffWindows(), (1 << Math.min(consecutiveUnpaid, 20)) - 1);
      if (j.verdict() == Verdict.REVERT) {
        revertsInDirection = lastRevertDirection == direction ? revertsInDirection + 1 : 1;
        lastRevertDirection = direction;
        bannedDirection = direction;
        bannedWindows =
            Math.min(engine.settings().maxBackoffWindows(), 1 << Math.min(revertsInDirection, 20));
      }
      baseline = null;
      cursor = null;
      phase = Phase.SETTLING; // let the system settle back before measuring the old value
      phaseStart = now;
      detail = "settling after reverting to " + format(trialFrom);
    }
    return d;
  }

  private void abandonTrial(String why) {
    if (phase == Phase.SETTLING && baseline != null || phase == Phase.TRIAL) {
      if (!knob.isPinned()) {
        revertTo(trialFrom); // the mode changed under a trial: go back to what was judged good
      }
      engine.releaseSignal(signal, this);
    }
    baseline = null;
    cursor = null;
    phase = Phase.PAUSED;
    detail = why;
  }

  private void restartBaseline(long now, String why) {
    cursor = signal.open();
    phaseStart = now;
    phase = Phase.BASELINE;
    detail = why;
  }

  private void apply(double number) {
    knob.setNumeric(number);
  }

  private void revertTo(double number) {
    try {
      knob.setNumeric(number);
    } catch (RuntimeException e) {
      engine.logApplyFailure(knob, number, e);
    }
  }

  private String format(double number) {
    return knob.type().format(knob.type().fromNumber(number));
  }
}
