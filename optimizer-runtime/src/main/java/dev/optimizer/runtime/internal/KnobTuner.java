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
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

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
 *       it no worse than its baseline pooled with the window that got the current value kept (one
 *       low baseline window would otherwise pass a worse value); once such a move is refused, a
 *       retry of the same move within the refusal horizon ({@code maxBackoffWindows} × {@code
 *       maxWindow}) is kept only if shown better. Asked again and again, a noisy signal would
 *       sooner or later call a worse value no worse;
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

  /** At most this many refused moves are remembered; the oldest goes first. */
  private static final int MAX_REFUSALS_REMEMBERED = 64;

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
   * The window that got the current value kept, and when: a cheaper move from that value is judged
   * no worse against it and the baseline just measured taken together. One window of a noisy signal
   * can come out low, and a cheaper value measured against it alone would pass as no worse; pooled,
   * the reference has twice the samples (requiring each window separately would halve the test's
   * power instead).
   */
  private Window keptWindow;

  private long keptAt;

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

  /** Cheaper moves refused lately, with when: a retry must show an improvement to be kept. */
  private final Map<Move, Long> refusedCheaper = new HashMap<>();

  /** A trial's change of value. */
  private record Move(double from, double to) {}

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
            detail = "measuring the trial " + format(trialFrom) + " -> " + format(trialTo);
          }
        }
        return null;
      case TRIAL:
        Window trial = readyWindow(now);
        return trial == null ? null : conclude(now, trial);
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
      revertTo(now, trialFrom);
      engine.releaseSignal(signal, this);
    }
    baseline = null;
    keptWindow = null;
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
          return cursor.read(); // conclude() reverts a trial that stayed too sparse
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
      keptWindow = null; // an unjudged change: nothing speaks for the new value
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
    Move move = new Move(trialFrom, trialTo);
    boolean noWorse =
        j.verdict() == Verdict.INCONCLUSIVE
            && preferred
            && engine
                .judge()
                .nonInferior(
                    keptWindowApplies(now) ? PooledWindow.of(baseline, keptWindow) : baseline,
                    trial,
                    objective);
    boolean retry = noWorse && refusedRecently(move, now);
    boolean kept = j.verdict() == Verdict.KEEP || (noWorse && !retry);
    Evidence evidence = j.evidence();
    if (retry) {
      evidence = prefixed(evidence, "no worse, but refused lately, so kept only if shown better; ");
    } else if (!kept && preferred) {
      // Only a refusal on the trial's own evidence: one that stood on the memory alone would
      // otherwise extend it for ever.
      rememberRefusal(move, now);
    }
    if (!kept) {
      revertTo(now, trialFrom);
      if (knob.numericValue() != trialFrom && !knob.isPinned()) {
        kept = true; // the revert failed: say so rather than report a revert that did not happen
        evidence = prefixed(evidence, "revert failed, the trial value stays; ");
      }
    }
    rounds++;
    boolean exploring = exploring();
    adaptWindow(j.verdict(), exploring);
    try {
      controller.onOutcome(trialFrom, trialTo, j.verdict(), kept);
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
            j.verdict(),
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
      // Not the trial window as the next baseline: it was measured right after the change, and a
      // change's transient (caches refilling, connections opening) can outlast the settle time.
      // Judged against a baseline still in that transient, any next move would look better.
      keptWindow = trial;
      keptAt = now;
      restartBaseline(now, "collecting a baseline at " + format(trialTo));
    } else {
      if (!exploring) {
        // A step the controller would retry: back off, and hold off a reverted direction. One point
        // of a scan is not: the next point is another question.
        backOff(j.verdict(), direction);
      }
      phase = Phase.SETTLING; // let the system settle back before measuring the old value
      phaseStart = now;
      detail = "settling after reverting to " + format(trialFrom);
    }
    return d;
  }

  /** The same evidence, its reason led by what the tuner made of it. */
  private static Evidence prefixed(Evidence evidence, String prefix) {
    return new Evidence(
        evidence.baseline(), evidence.trial(), evidence.findings(), prefix + evidence.reason());
  }

  /** Whether the window that got the current value kept is recent enough to speak for it. */
  private boolean keptWindowApplies(long now) {
    return keptWindow != null
        && keptWindow.latencyNanos().count() >= neededSamples()
        && now - keptAt < refusalHorizonNanos();
  }

  private boolean refusedRecently(Move move, long now) {
    Long at = refusedCheaper.get(move);
    return at != null && now - at < refusalHorizonNanos();
  }

  private void rememberRefusal(Move move, long now) {
    refusedCheaper.values().removeIf(at -> now - at >= refusalHorizonNanos());
    if (refusedCheaper.size() >= MAX_REFUSALS_REMEMBERED && !refusedCheaper.containsKey(move)) {
      refusedCheaper.entrySet().stream()
          .min(Map.Entry.comparingByValue())
          .ifPresent(oldest -> refusedCheaper.remove(oldest.getKey()));
    }
    refusedCheaper.put(move, now);
  }

  /** As long as the longest back-off can last: past it, the system may have changed. */
  private long refusalHorizonNanos() {
    TuningSettings s = engine.settings();
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

  private void revertTo(long now, double number) {
    try {
      if (knob.setNumericUnlessPinned(number)) {
        engine.signalChanged(signal, now);
      }
    } catch (RuntimeException e) {
      engine.logApplyFailure(knob, number, e);
    }
  }

  private long settleNanos() {
    return engine.settings().settle().toNanos();
  }

  private String format(double number) {
    return knob.type().format(knob.type().fromNumber(number));
  }
}
