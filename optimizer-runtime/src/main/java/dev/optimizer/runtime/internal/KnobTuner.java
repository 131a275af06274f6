package dev.optimizer.runtime.internal;

import dev.optimizer.api.Controller;
import dev.optimizer.api.ControllerInput;
import dev.optimizer.api.Decision;
import dev.optimizer.api.Evidence;
import dev.optimizer.api.Knob;
import dev.optimizer.api.Objective;
import dev.optimizer.api.Signal;
import dev.optimizer.api.Verdict;
import dev.optimizer.api.Window;
import dev.optimizer.runtime.judge.Judgement;
import dev.optimizer.runtime.tuning.TuningSettings;
import dev.optimizer.runtime.tuning.TuningState;
import dev.optimizer.runtime.tuning.TuningState.Phase;
import java.util.Locale;

/**
 * The tuning cycle of one knob: measure a baseline window, ask the controller for a value, apply it
 * as a trial, let the system settle, measure a trial window, and let the judge decide. Called by
 * the engine on each tick, always from one thread at a time.
 *
 * <p>Safety rules kept here:
 *
 * <ul>
 *   <li>proposals are re-clamped to the bounds and step limit whatever the controller returns;
 *   <li>no judged trial starts while the baseline's error rate exceeds the objective's limit or
 *       while the signal is too sparse for the judge; a trial window that stays too sparse is
 *       reverted whatever the tie-break, and never becomes the next baseline;
 *   <li>a baseline must not straddle a change any knob made to the same signal (plus the settle
 *       time), so one knob's trial cannot flatter another's; and a kept trial's window, measured
 *       right after its change, is not the next baseline: the next one is measured afresh;
 *   <li>an inconclusive trial towards the preferred (cheaper) side is kept only if the judge finds
 *       it no worse than the previous value measured both before and after it (an A/B/A design):
 *       the tuner goes back to the previous value for one more window and judges the trial against
 *       both windows of it taken together. One low baseline window would otherwise pass a worse
 *       value, and a baseline measured while the last change's transient (caches refilling) still
 *       runs is low in just that way. Once such a move is refused, a retry of the same move within
 *       the refusal horizon ({@code maxBackoffWindows} × {@code maxWindow}) is kept only if shown
 *       better: asked again and again, a noisy signal would sooner or later call a worse value no
 *       worse;
 *   <li>windows start at {@code minWindow}; after an inconclusive trial (one the controller does
 *       not mark as exploring) the next windows are twice as long, up to {@value
 *       #MAX_WINDOW_GROWTH} times {@code minWindow} and never past {@code maxWindow}, and after a
 *       conclusive one half as long again: near an optimum the differences are small, and a judge
 *       at a fixed confidence resolves a smaller difference only from more samples;
 *   <li>after trials that do not pay, the tuner waits an exponentially growing number of windows
 *       (capped) before the next one; after k reverts in a row in one direction, that direction is
 *       skipped for the next 2^k proposals (capped);
 *   <li>a pinned knob always wins: changes are applied only if the knob is not pinned, atomically;
 *       a mode other than AUTO, unregistering, closing or a failure abandons a running trial by
 *       restoring the previous value and releasing the signal.
 * </ul>
 */
final class KnobTuner<T extends Comparable<? super T>> {
  private static final System.Logger LOG = System.getLogger("dev.optimizer.decisions");

  /** Windows grow after inconclusive trials up to this many times {@code minWindow}. */
  private static final int MAX_WINDOW_GROWTH = 4;

  private final TuningEngine engine;
  private final Knob<T> knob;
  private final Signal signal;
  private final Controller controller;
  private final Objective objective;
  private final boolean judged;

  private Phase phase = Phase.BASELINE;
  private String detail = "collecting a baseline";
  private Signal.Cursor cursor;
  private long cursorOpened;
  private long phaseStart;
  private Window baseline;

  /**
   * While a cheaper trial found no worse than its baseline is being confirmed: its window and
   * verdict, kept while the previous value is measured again. Null otherwise.
   */
  private Window confirmingTrial;

  private Judgement confirmingJudgement;

  /** How long baseline and trial windows run now: see the class comment. */
  private long windowNanos;

  private double trialFrom;
  private double trialTo;
  private long rounds;
  private int consecutiveUnpaid;
  private int waitWindows;
  private int bannedDirection;
  private int bannedProposals;
  private int revertsInDirection;
  private int lastRevertDirection;

  /** Cheaper moves refused lately: a retry must show an improvement to be kept. */
  private final CheaperMoveRefusals refusals;

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
    this.windowNanos = engine.settings().minWindow().toNanos();
    this.refusals = new CheaperMoveRefusals(refusalHorizonNanos(engine.settings()));
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
      abandon(now, knob.isPinned() ? "pinned" : "mode " + engine.mode() + " makes no changes");
      return null;
    }
    if (phase == Phase.PAUSED) {
      restartBaseline(now, "collecting a baseline");
    }
    switch (phase) {
      case SETTLING:
        if (now - phaseStart >= settleNanos()) {
          openCursor(now);
          phaseStart = now;
          if (baseline == null) {
            phase = Phase.BASELINE;
            detail = "collecting a baseline";
          } else {
            phase = Phase.TRIAL;
            detail =
                confirmingTrial == null
                    ? "measuring the trial " + format(trialFrom) + " -> " + format(trialTo)
                    : "measuring "
                        + format(trialFrom)
                        + " again before keeping the cheaper "
                        + format(trialTo);
          }
        }
        return null;
      case TRIAL:
        Window measured = readyWindow(now);
        if (measured == null) {
          return null;
        }
        return confirmingTrial == null ? conclude(now, measured) : concludeConfirmed(now, measured);
      default:
        Window w = readyWindow(now);
        if (w != null) {
          startTrialOrWait(now, w);
        }
        return null;
    }
  }

  /**
   * Abandons a running trial — restoring the previous value unless the knob was pinned meanwhile —
   * releases the signal, and pauses.
   */
  synchronized void abandon(long now, String why) {
    if (inTrial()) {
      setTo(now, trialFrom);
      engine.releaseSignal(signal, this);
    }
    baseline = null;
    confirmingTrial = null;
    confirmingJudgement = null;
    cursor = null;
    phase = Phase.PAUSED;
    detail = why;
  }

  /** Called by the engine when a tick threw: clean up as for an abandon, then wait. */
  synchronized void fail(long now, Throwable e) {
    abandon(now, "tuning failed: " + e);
    restartBaseline(now, "tuning failed, retrying after a fresh baseline: " + e);
    phase = Phase.WAITING;
  }

  private boolean inTrial() {
    return (phase == Phase.SETTLING && baseline != null) || phase == Phase.TRIAL;
  }

  /** The window since the cursor opened, once long and full enough; null while still gathering. */
  private Window readyWindow(long now) {
    if (cursor == null) {
      openCursor(now);
      phaseStart = now;
      return null;
    }
    long elapsed = now - phaseStart;
    if (elapsed < windowNanos) {
      return null;
    }
    long needed = neededSamples();
    if (cursor.latencySamples() < needed) {
      if (elapsed >= engine.settings().maxWindow().toNanos()) {
        if (phase == Phase.TRIAL) {
          return cursor.read(); // a trial that stayed too sparse is reverted, never kept
        }
        restartBaseline(
            now,
            String.format(
                Locale.ROOT,
                "signal too sparse: %d latency samples in %ds, the judge needs %d",
                cursor.latencySamples(),
                elapsed / 1_000_000_000L,
                needed));
        phase = Phase.WAITING;
      }
      return null;
    }
    return cursor.read();
  }

  private long neededSamples() {
    return engine.judge().requiredSamplesPerArm(objective);
  }

  private void startTrialOrWait(long now, Window w) {
    if (cursorOpened < engine.lastChange(signal) + settleNanos()) {
      restartBaseline(now, "another knob on signal " + signal.name() + " moved; new baseline");
      return;
    }
    if (judged && w.errorRate() > objective.maxErrorRate()) {
      // Feedback controllers (unjudged) treat errors as congestion and must still act on them.
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
    if (bannedProposals > 0) {
      bannedProposals--;
      if (direction == bannedDirection) {
        restartBaseline(now, "direction recently reverted; holding");
        return;
      }
    }
    if (!engine.acquireSignal(signal, this)) {
      restartBaseline(now, "waiting for another knob's trial on signal " + signal.name());
      return;
    }
    if (!apply(now, proposal)) {
      engine.releaseSignal(signal, this);
      return;
    }
    if (!judged) {
      engine.releaseSignal(signal, this);
      if (settleNanos() == 0) {
        restartBaseline(now, "collecting a baseline");
        return;
      }
      // The new value's window opens once it has settled, as a trial's does: a window opened now
      // would be thrown away as one from before a change on the signal (this knob's own), and a
      // feedback controller would act only every second window.
      baseline = null;
      cursor = null;
      phase = Phase.SETTLING;
      phaseStart = now;
      detail = "settling after " + format(current) + " -> " + format(proposal);
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
    boolean enough =
        baseline.latencyNanos().count() >= neededSamples()
            && trial.latencyNanos().count() >= neededSamples();
    boolean preferred =
        enough
            && ((objective.preference() == Objective.Preference.LOWER && direction < 0)
                || (objective.preference() == Objective.Preference.HIGHER && direction > 0));
    CheaperMoveRefusals.Move move = new CheaperMoveRefusals.Move(trialFrom, trialTo);
    boolean noWorse =
        j.verdict() == Verdict.INCONCLUSIVE
            && preferred
            && engine.judge().nonInferior(baseline, trial, objective);
    boolean retry = noWorse && refusals.refusedRecently(move, now);
    Evidence evidence = j.evidence();
    if (noWorse && !retry) {
      if (startConfirming(now, trial, j)) {
        return null;
      }
      evidence = prefixed(evidence, "could not go back to " + format(trialFrom) + " to confirm; ");
    }
    boolean kept = j.verdict() == Verdict.KEEP || (noWorse && !retry);
    if (retry) {
      evidence = prefixed(evidence, "no worse, but refused lately, so kept only if shown better; ");
    } else if (!kept && preferred) {
      // Only a refusal on the trial's own evidence: one that stood on the memory alone would
      // otherwise extend it for ever.
      refusals.remember(move, now);
    }
    if (!kept) {
      setTo(now, trialFrom);
      if (knob.numericValue() != trialFrom && !knob.isPinned()) {
        kept = true; // the revert failed: say so rather than report a revert that did not happen
        evidence = prefixed(evidence, "revert failed, the trial value stays; ");
      }
    }
    // Kept: not the trial window as the next baseline. It was measured right after the change, and
    // a change's transient (caches refilling, connections opening) can outlast the settle time;
    // judged against a baseline still in that transient, any next move would look better. Reverted:
    // the old value settles again before it is measured.
    return decide(now, j.verdict(), kept, evidence, kept);
  }

  /**
   * The A/B/A step for a cheaper trial found no worse than its baseline: goes back to the previous
   * value to measure it once more. False if the knob could not be set back (then there is nothing
   * to measure, and the trial is judged on its baseline alone).
   */
  private boolean startConfirming(long now, Window trial, Judgement j) {
    setTo(now, trialFrom);
    if (knob.numericValue() != trialFrom && !knob.isPinned()) {
      return false; // a pin that came meanwhile wins on the next tick, which abandons the trial
    }
    confirmingTrial = trial;
    confirmingJudgement = j;
    cursor = null;
    phase = Phase.SETTLING;
    phaseStart = now;
    detail =
        "settling back at "
            + format(trialFrom)
            + " to measure it again before keeping the cheaper "
            + format(trialTo);
    return true;
  }

  /**
   * Judges a cheaper trial against the previous value measured before and after it, taken together,
   * and applies the trial value again if it is no worse. Drift and a transient that lowered the
   * baseline show in the second window; pooled, the reference also has twice the samples (requiring
   * each window separately would halve the test's power instead).
   */
  private Decision concludeConfirmed(long now, Window again) {
    Window trial = confirmingTrial;
    Judgement j = confirmingJudgement;
    confirmingTrial = null;
    confirmingJudgement = null;
    boolean measured = again.latencyNanos().count() >= neededSamples();
    boolean noWorse =
        measured && engine.judge().nonInferior(PooledWindow.of(baseline, again), trial, objective);
    boolean kept = noWorse && setTo(now, trialTo);
    String from = format(trialFrom);
    String prefix;
    if (kept) {
      prefix = "no worse than " + from + " measured before and after it; ";
    } else if (noWorse) {
      prefix = "no worse, but " + format(trialTo) + " could not be applied again; ";
    } else if (measured) {
      refusals.remember(new CheaperMoveRefusals.Move(trialFrom, trialTo), now);
      prefix = "no worse than its baseline, but not than " + from + " measured after it too; ";
    } else {
      prefix = from + " measured again stayed too sparse to confirm; ";
    }
    // Kept: the value was applied again just now and settles before its baseline. Refused: the
    // previous value has run for a settle and a window already.
    return decide(now, j.verdict(), kept, prefixed(j.evidence(), prefix), !kept);
  }

  /**
   * Records a judged trial: tells the controller, adapts the windows and the back-off, frees the
   * signal and starts the next baseline, at once when {@code settled} or else after a settle.
   */
  private Decision decide(
      long now, Verdict verdict, boolean kept, Evidence evidence, boolean settled) {
    rounds++;
    boolean exploring = exploring();
    adaptWindow(verdict, exploring);
    try {
      controller.onOutcome(trialFrom, trialTo, verdict, kept);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "controller " + controller.name() + " failed", e);
    }
    Decision d =
        new Decision(
            knob.name(),
            controller.name(),
            format(trialFrom),
            format(trialTo),
            trialFrom,
            trialTo,
            verdict,
            kept,
            evidence,
            engine.clock().instant(),
            rounds);
    engine.releaseSignal(signal, this);
    baseline = null;
    cursor = null;
    if (kept) {
      consecutiveUnpaid = 0; // a kept move, better or cheaper, is progress: no back-off
      revertsInDirection = 0;
    } else if (!exploring) {
      // A step the controller would retry: back off, and hold off a reverted direction. One point
      // of a scan is not: the next point is another question.
      backOff(verdict, trialTo > trialFrom ? 1 : -1);
    }
    String value = format(kept ? trialTo : trialFrom);
    if (settled) {
      restartBaseline(now, "collecting a baseline at " + value);
    } else {
      phase = Phase.SETTLING;
      phaseStart = now;
      detail = "settling at " + value + " before measuring it";
    }
    return d;
  }

  /** The same evidence, its reason led by what the tuner made of it. */
  private static Evidence prefixed(Evidence evidence, String prefix) {
    return new Evidence(
        evidence.baseline(), evidence.trial(), evidence.findings(), prefix + evidence.reason());
  }

  /** As long as the longest back-off can last: past it, the system may have changed. */
  private static long refusalHorizonNanos(TuningSettings s) {
    return Math.max(1, s.maxBackoffWindows()) * s.maxWindow().toNanos();
  }

  /**
   * Doubles the window after an inconclusive trial, up to {@value #MAX_WINDOW_GROWTH} times {@code
   * minWindow} and at most {@code maxWindow}, and halves it after a conclusive one, down to {@code
   * minWindow}. Not after an exploring trial: its inconclusive verdict is about a point far from
   * the next, not about a difference too small to see.
   */
  private void adaptWindow(Verdict verdict, boolean exploring) {
    TuningSettings s = engine.settings();
    if (verdict == Verdict.INCONCLUSIVE) {
      if (!exploring) {
        long longest =
            Math.min(s.maxWindow().toNanos(), s.minWindow().toNanos() * MAX_WINDOW_GROWTH);
        windowNanos = Math.min(longest, windowNanos * 2);
      }
    } else {
      windowNanos = Math.max(s.minWindow().toNanos(), windowNanos / 2);
    }
  }

  /** After an unpaid trial: wait longer before the next, and hold off a reverted direction. */
  private void backOff(Verdict verdict, int direction) {
    consecutiveUnpaid++;
    waitWindows =
        Math.min(engine.settings().maxBackoffWindows(), (1 << Math.min(consecutiveUnpaid, 20)) - 1);
    if (verdict == Verdict.REVERT) {
      revertsInDirection = lastRevertDirection == direction ? revertsInDirection + 1 : 1;
      lastRevertDirection = direction;
      bannedDirection = direction;
      bannedProposals =
          Math.min(engine.settings().maxBackoffWindows(), 1 << Math.min(revertsInDirection, 20));
    }
  }

  /** The controller's {@link Controller#exploring()}; false if it throws. */
  private boolean exploring() {
    try {
      return controller.exploring();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "controller " + controller.name() + " failed", e);
      return false;
    }
  }

  private void openCursor(long now) {
    cursor = signal.open();
    cursorOpened = now;
  }

  private void restartBaseline(long now, String why) {
    // The phase first: a signal that fails to open must not leave a concluded trial looking like
    // a running one, which the engine's failure path would revert (undoing a kept value).
    phaseStart = now;
    phase = Phase.BASELINE;
    detail = why;
    cursor = null;
    try {
      openCursor(now);
    } catch (RuntimeException e) {
      // readyWindow() opens it on the next tick, where a signal that still fails takes the
      // engine's failure path; here it would lose the decision just made.
      engine.logSignalFailure(signal, e);
    }
  }

  /** Applies a value unless the knob is pinned; false (and WAITING) if that was not possible. */
  private boolean apply(long now, double number) {
    try {
      if (!knob.setNumericUnlessPinned(number)) {
        restartBaseline(now, "pinned");
        return false;
      }
    } catch (RuntimeException e) {
      engine.logApplyFailure(knob, number, e);
      restartBaseline(now, "could not apply " + format(number) + ": " + e.getMessage());
      phase = Phase.WAITING;
      return false;
    }
    engine.signalChanged(signal, now);
    return true;
  }

  /**
   * Sets the knob back to a value it had (a revert) or to a trial value confirmed after one, unless
   * it is pinned; a failure is logged, not thrown. True if the value was set.
   */
  private boolean setTo(long now, double number) {
    try {
      if (knob.setNumericUnlessPinned(number)) {
        engine.signalChanged(signal, now);
        return true;
      }
    } catch (RuntimeException e) {
      engine.logApplyFailure(knob, number, e);
    }
    return false;
  }

  private long settleNanos() {
    return engine.settings().settle().toNanos();
  }

  private String format(double number) {
    return knob.type().format(knob.type().fromNumber(number));
  }
}
