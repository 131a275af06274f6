package dev.optimizer.db.cache.internal;

import dev.optimizer.api.Controller;
import dev.optimizer.api.ControllerInput;
import dev.optimizer.api.Knob;
import dev.optimizer.api.Verdict;
import dev.optimizer.runtime.signal.LatencySignal;
import java.time.Duration;

/**
 * One query's result cache trial: a knob (0 off, 1 on) tuned by the runtime's engine, the query's
 * latency signal that the judge reads, and the controller that proposes turning the cache on once.
 *
 * <p>The engine measures a baseline window with the cache off, sets the knob to 1, lets the system
 * settle, measures a trial window, and asks the judge; the objective demands a lower median latency
 * and a trial hit rate (the signal's {@value #HIT_RATE} gauge: 1 per read answered from the cache,
 * 0 per read that went to the database) of at least the floor. A kept trial leaves the knob at 1; a
 * rolled-back one sets it back to 0, which closes the gate and drops the query's cached results.
 * After its decision the query is never trialled again: the controller holds the knob where it is.
 *
 * <p>Thread-safe: the read path reads two volatile fields; the engine calls the controller and the
 * knob's applier from its own thread.
 */
final class CacheTrial implements Controller {
  /** The gauge of the signal that the objective's floor applies to. */
  static final String HIT_RATE = "hit_rate";

  enum State {
    /** Waiting for its decision: every read is timed for the judge. */
    MEASURING,
    /** The judge kept the cache on. */
    KEPT,
    /** Rolled back: the cache is off for this query. */
    ROLLED_BACK
  }

  final long fingerprint;
  final Knob<Integer> knob;
  final LatencySignal signal;
  private final CacheTrials owner;
  private volatile boolean on;
  private volatile State state = State.MEASURING;

  CacheTrial(CacheTrials owner, long fingerprint, String text, String knobName) {
    this.owner = owner;
    this.fingerprint = fingerprint;
    this.knob =
        Knob.ofInt(knobName, 0)
            .range(0, 1)
            .maxStep(1)
            .description(
                "result cache for "
                    + (text.length() > 200 ? text.substring(0, 200) + "..." : text)
                    + " (1 on, 0 off)")
            .onChange(this::apply)
            .build();
    // Only the latency distribution matters to this objective: few, long throughput slices.
    this.signal =
        LatencySignal.builder(knobName)
            .ticker(owner.ticker())
            .slice(Duration.ofMinutes(1))
            .sliceRing(16)
            .build();
  }

  /** Whether the judge is still waiting for this query's reads. */
  boolean measuring() {
    return state == State.MEASURING;
  }

  State state() {
    return state;
  }

  /** Whether this query may be answered from the cache now (knob on, mode AUTO). */
  boolean serving() {
    return on && owner.applies();
  }

  /** One read of the query, cache or database, as the application waited for it. */
  void record(long nanos, boolean failed) {
    signal.record(nanos, failed);
  }

  /** Whether a read while the cache was on was answered from it. */
  void lookup(boolean hit) {
    signal.recordGauge(HIT_RATE, hit ? 1.0 : 0.0);
  }

  /** Registration failed: stop timing its reads; the cache stays off for it. */
  void neverStarted() {
    state = State.ROLLED_BACK;
  }

  /** The knob's applier: runs under the knob's lock before the value is visible. */
  private void apply(int value) {
    if (value == 1) {
      on = true;
    } else {
      on = false; // the gate first: no read starts a new load for this query after this
      owner.drop(fingerprint);
    }
  }

  // --- the controller: propose "on" once, then hold ---

  @Override
  public String name() {
    return "result-cache-trial";
  }

  @Override
  public double propose(ControllerInput input) {
    return state == State.MEASURING ? input.max() : input.current();
  }

  @Override
  public void onOutcome(double from, double to, Verdict verdict, boolean kept) {
    if (to > from && state == State.MEASURING) {
      state = kept ? State.KEPT : State.ROLLED_BACK;
      owner.concluded(this);
    }
  }

  @Override
  public String toString() {
    return knob.name() + " " + state;
  }
}
