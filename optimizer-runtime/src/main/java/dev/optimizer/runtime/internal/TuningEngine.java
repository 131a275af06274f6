package dev.optimizer.runtime.internal;

import dev.optimizer.api.Controller;
import dev.optimizer.api.Decision;
import dev.optimizer.api.Knob;
import dev.optimizer.api.Mode;
import dev.optimizer.api.Objective;
import dev.optimizer.api.Signal;
import dev.optimizer.api.Ticker;
import dev.optimizer.runtime.judge.Judge;
import dev.optimizer.runtime.tuning.TuningSettings;
import dev.optimizer.runtime.tuning.TuningState;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs the tuning cycles of all registered knobs. One trial at a time per signal: two knobs that
 * read the same signal would otherwise confound each other's trials. Not part of the public API.
 */
public final class TuningEngine {
  private static final System.Logger LOG = System.getLogger("dev.optimizer.decisions");

  private final Supplier<Mode> mode;
  private final Clock clock;
  private final Ticker ticker;
  private final Judge judge;
  private final TuningSettings settings;
  private final List<KnobTuner<?>> tuners = new CopyOnWriteArrayList<>();
  private final Map<Signal, KnobTuner<?>> signalOwners = new IdentityHashMap<>();
  private final Map<Signal, Long> signalChanges = new IdentityHashMap<>();
  private final Deque<Decision> decisions = new ArrayDeque<>();
  private final List<Consumer<Decision>> listeners = new CopyOnWriteArrayList<>();
  private final Object cycleLock = new Object();

  /** An engine. */
  public TuningEngine(
      Supplier<Mode> mode, Clock clock, Ticker ticker, Judge judge, TuningSettings settings) {
    this.mode = mode;
    this.clock = clock;
    this.ticker = ticker;
    this.judge = judge;
    this.settings = settings;
  }

  /** Registers a knob for tuning. */
  public <T extends Comparable<? super T>> void register(
      Knob<T> knob, Signal signal, Controller controller, Objective objective, boolean judged) {
    synchronized (cycleLock) {
      for (KnobTuner<?> t : tuners) {
        if (t.knob().name().equals(knob.name())) {
          throw new IllegalArgumentException("knob " + knob.name() + " is already tuned");
        }
      }
      tuners.add(new KnobTuner<>(this, knob, signal, controller, objective, judged));
    }
  }

  /** Stops tuning a knob; a running trial is abandoned and the previous value restored. */
  public boolean unregister(String knobName) {
    synchronized (cycleLock) {
      for (KnobTuner<?> t : tuners) {
        if (t.knob().name().equals(knobName)) {
          t.abandon(ticker.read(), "unregistered");
          tuners.remove(t);
          forgetUnusedSignal(t.signal());
          return true;
        }
      }
      return false;
    }
  }

  /**
   * Waits for a running cycle to finish, then abandons every trial (restoring the values they
   * replaced). After this, {@link #runCycle()} does nothing.
   */
  public void shutdown() {
    synchronized (cycleLock) {
      long now = ticker.read();
      for (KnobTuner<?> t : tuners) {
        t.abandon(now, "optimizer closed");
      }
      tuners.clear();
      synchronized (signalOwners) {
        signalChanges.clear();
      }
    }
  }

  /**
   * Drops what the engine remembers of a signal no tuned knob uses any more, so that a knob's
   * signal (with its histograms) is not kept alive after the knob is unregistered: pools and
   * batchers that are wrapped and closed again and again would otherwise grow memory for good.
   */
  private void forgetUnusedSignal(Signal signal) {
    for (KnobTuner<?> t : tuners) {
      if (t.signal() == signal) {
        return;
      }
    }
    synchronized (signalOwners) {
      signalChanges.remove(signal);
      signalOwners.remove(signal);
    }
  }

  /** How many signals the engine remembers a change of; for tests. */
  int rememberedSignals() {
    synchronized (signalOwners) {
      return signalChanges.size() + signalOwners.size();
    }
  }

  /** Advances every knob's cycle once; returns the decisions reached. */
  public List<Decision> runCycle() {
    List<Decision> reached = new ArrayList<>();
    synchronized (cycleLock) {
      long now = ticker.read();
      for (KnobTuner<?> t : tuners) {
        Decision d;
        try {
          d = t.tick(now);
        } catch (VirtualMachineError e) {
          throw e;
        } catch (Throwable e) {
          // A failing controller, applier or signal must not leave a trial running or the signal
          // locked, nor stop the other knobs or the scheduler.
          LOG.log(System.Logger.Level.WARNING, "tuning " + t.knob().name() + " failed", e);
          t.fail(now, e);
          continue;
        }
        if (d != null) {
          reached.add(d);
          record(d);
        }
      }
    }
    return reached;
  }

  private void record(Decision d) {
    synchronized (decisions) {
      decisions.addLast(d);
      while (decisions.size() > settings.decisionHistory()) {
        decisions.removeFirst();
      }
    }
    LOG.log(System.Logger.Level.INFO, d::summary);
    for (Consumer<Decision> l : listeners) {
      try {
        l.accept(d);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "decision listener failed", e);
      }
    }
  }

  /** Decisions kept, oldest first. */
  public List<Decision> decisions() {
    synchronized (decisions) {
      return List.copyOf(decisions);
    }
  }

  /** The state of each tuned knob. */
  public List<TuningState> states() {
    List<TuningState> states = new ArrayList<>();
    for (KnobTuner<?> t : tuners) {
      states.add(t.state());
    }
    return states;
  }

  /** Adds a listener told of each decision; exceptions it throws are logged, not propagated. */
  public void addListener(Consumer<Decision> listener) {
    listeners.add(listener);
  }

  boolean acquireSignal(Signal signal, KnobTuner<?> tuner) {
    synchronized (signalOwners) {
      KnobTuner<?> owner = signalOwners.putIfAbsent(signal, tuner);
      return owner == null || owner == tuner;
    }
  }

  void releaseSignal(Signal signal, KnobTuner<?> tuner) {
    synchronized (signalOwners) {
      signalOwners.remove(signal, tuner);
    }
  }

  /** Records that a knob on this signal changed, so baselines straddling it are discarded. */
  void signalChanged(Signal signal, long now) {
    synchronized (signalOwners) {
      signalChanges.put(signal, now);
    }
  }

  /** When a knob on this signal last changed; far in the past if never. */
  long lastChange(Signal signal) {
    synchronized (signalOwners) {
      return signalChanges.getOrDefault(signal, Long.MIN_VALUE / 2);
    }
  }

  void logSignalFailure(Signal signal, RuntimeException e) {
    LOG.log(System.Logger.Level.WARNING, "could not open signal " + signal.name(), e);
  }

  void logApplyFailure(Knob<?> knob, double value, RuntimeException e) {
    LOG.log(System.Logger.Level.WARNING, "could not set " + knob.name() + " to " + value, e);
  }

  Mode mode() {
    return mode.get();
  }

  Clock clock() {
    return clock;
  }

  Judge judge() {
    return judge;
  }

  TuningSettings settings() {
    return settings;
  }
}
