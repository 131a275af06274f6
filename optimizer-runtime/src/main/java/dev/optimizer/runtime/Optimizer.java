package dev.optimizer.runtime;

import dev.optimizer.api.Controller;
import dev.optimizer.api.Decision;
import dev.optimizer.api.Knob;
import dev.optimizer.api.Mode;
import dev.optimizer.api.Objective;
import dev.optimizer.api.Recommendation;
import dev.optimizer.api.Report;
import dev.optimizer.api.Signal;
import dev.optimizer.api.Ticker;
import dev.optimizer.api.internal.Checks;
import dev.optimizer.runtime.control.HillClimbController;
import dev.optimizer.runtime.internal.Telemetry;
import dev.optimizer.runtime.internal.TuningEngine;
import dev.optimizer.runtime.judge.Judge;
import dev.optimizer.runtime.judge.JudgeSettings;
import dev.optimizer.runtime.platform.PlatformInfo;
import dev.optimizer.runtime.platform.PlatformProbe;
import dev.optimizer.runtime.tuning.TuningSettings;
import dev.optimizer.runtime.tuning.TuningState;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The root object an application builds once. It holds the {@link OpenTelemetry} instance, the
 * clock and ticker, the scheduler, the {@link Mode}, and the registry of everything it tunes; the
 * module entry points ({@code DbOptimizer.create(optimizer)} and the like) hang off it.
 *
 * <pre>{@code
 * try (Optimizer optimizer = Optimizer.builder().openTelemetry(otel).build()) {
 *   Knob<Integer> batch = Knob.ofInt("ingest.batch_size", 16).range(1, 512).build();
 *   optimizer.tune(batch, signal).objective(Objective.maximizeThroughput()).start();
 *   ...
 *   System.out.println(optimizer.report().toMarkdown());
 * }
 * }</pre>
 *
 * <p>Every knob registered with {@link #tune} is moved only by judged trials (see {@link Judge}),
 * within its bounds and step limit, and only in {@link Mode#AUTO}. {@link #close()} stops the
 * tuning thread (if this optimizer started it) and closes everything registered with {@link
 * #onClose} and not released since, in reverse order. Thread-safe.
 */
public final class Optimizer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Optimizer.class.getName());

  private final OpenTelemetry openTelemetry;
  private final Clock clock;
  private final Ticker ticker;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final TuningSettings tuningSettings;
  private final Judge judge;
  private final TuningEngine engine;
  private final Telemetry telemetry;
  private final Map<String, Knob<?>> knobs = new LinkedHashMap<>();
  private final List<Recommendation> recommendations = new ArrayList<>();
  // Registration order; closed in reverse. A set, so that a release is O(1) however many are held.
  private final LinkedHashSet<Registration> closeables = new LinkedHashSet<>();
  private final ScheduledFuture<?> tuningTask;
  private final PlatformInfo platform;
  private volatile Mode mode;
  private volatile boolean closed;

  private Optimizer(Builder b) {
    this.openTelemetry =
        b.openTelemetry != null ? b.openTelemetry : GlobalOpenTelemetry.getOrNoop();
    this.clock = b.clock;
    this.ticker = b.ticker;
    this.mode = b.mode;
    this.tuningSettings = b.tuningSettings;
    this.platform = b.platformProbe.probe();
    this.judge = new Judge(b.judgeSettings);
    this.engine = new TuningEngine(() -> mode, clock, ticker, judge, tuningSettings);
    this.telemetry = new Telemetry(openTelemetry, this::knobsView);
    engine.addListener(telemetry::decision);
    if (b.manualTuning) {
      this.scheduler = b.scheduler;
      this.ownsScheduler = false;
      this.tuningTask = null;
    } else {
      this.ownsScheduler = b.scheduler == null;
      this.scheduler =
          ownsScheduler
              ? Executors.newSingleThreadScheduledExecutor(
                  r -> {
                    Thread t = new Thread(r, "optimizer-tuner");
                    t.setDaemon(true);
                    return t;
                  })
              : b.scheduler;
      long tick = tuningSettings.tickInterval().toNanos();
      this.tuningTask =
          scheduler.scheduleWithFixedDelay(this::scheduledCycle, tick, tick, TimeUnit.NANOSECONDS);
    }
  }

  /** Starts an optimizer with the defaults: global OpenTelemetry, system time, mode AUTO. */
  public static Builder builder() {
    return new Builder();
  }

  /** An optimizer with every default. */
  public static Optimizer create() {
    return builder().build();
  }

  /** The OpenTelemetry instance all modules report through. */
  public OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  /** The wall clock, for timestamps in decisions and reports. */
  public Clock clock() {
    return clock;
  }

  /**
   * The meter every part of the optimizer creates its instruments from (instrumentation scope
   * {@code dev.optimizer}); see {@link dev.optimizer.runtime.telemetry.BuildingBlockMetrics}.
   */
  public io.opentelemetry.api.metrics.Meter meter() {
    return telemetry.meter();
  }

  /** The monotonic time source for every measurement. */
  public Ticker ticker() {
    return ticker;
  }

  /** The scheduler for background work; empty when tuning is manual and none was given. */
  public Optional<ScheduledExecutorService> scheduler() {
    return Optional.ofNullable(scheduler);
  }

  /** The current mode. */
  public Mode mode() {
    return mode;
  }

  /**
   * Changes the mode at run time — a kill switch: leaving {@link Mode#AUTO} abandons running trials
   * and restores the values they replaced.
   */
  public void setMode(Mode mode) {
    this.mode = Checks.notNull("mode", mode);
  }

  /**
   * What this process runs on — CPU and memory limits, container, Kubernetes, cloud — read once
   * when the optimizer was built, without network calls.
   */
  public PlatformInfo platform() {
    return platform;
  }

  /** The judge every trial goes through. */
  public Judge judge() {
    return judge;
  }

  /** The engine's rhythm. */
  public TuningSettings tuningSettings() {
    return tuningSettings;
  }

  /**
   * Starts registering a knob for tuning against a signal. Defaults: a {@link HillClimbController}
   * and {@link Objective#maximizeThroughput()}.
   */
  public <T extends Comparable<? super T>> Tuning<T> tune(Knob<T> knob, Signal signal) {
    checkOpen();
    return new Tuning<>(Checks.notNull("knob", knob), Checks.notNull("signal", signal));
  }

  /**
   * Registers a knob for reports and telemetry without tuning it.
   *
   * @throws IllegalArgumentException if another knob with the same name is registered
   */
  public void register(Knob<?> knob) {
    checkOpen();
    Checks.notNull("knob", knob);
    synchronized (knobs) {
      Knob<?> existing = knobs.get(knob.name());
      if (existing != null && existing != knob) {
        throw new IllegalArgumentException(
            "a knob named " + knob.name() + " is already registered");
      }
      knobs.put(knob.name(), knob);
    }
  }

  /**
   * Forgets a knob: stops tuning it (a running trial is abandoned and the value it replaced
   * restored) and removes it from {@link #knobs()}, the report and telemetry. Decisions already
   * made stay in {@link #decisions()}. A module calls this when what the knob adjusts is closed, so
   * that nothing goes on changing it and the same name can be registered again. Harmless after
   * {@link #close()}.
   *
   * @return whether a knob of that name was registered
   */
  public boolean unregister(String knobName) {
    Checks.notNull("knobName", knobName);
    boolean tuned = engine.unregister(knobName);
    synchronized (knobs) {
      return knobs.remove(knobName) != null || tuned;
    }
  }

  /** The registered knobs, in registration order. */
  public List<Knob<?>> knobs() {
    return List.copyOf(knobsView());
  }

  /** The knob with the given name, if registered. */
  public Optional<Knob<?>> knob(String name) {
    synchronized (knobs) {
      return Optional.ofNullable(knobs.get(name));
    }
  }

  private Collection<Knob<?>> knobsView() {
    synchronized (knobs) {
      return new ArrayList<>(knobs.values());
    }
  }

  /** Adds a recommendation to the report (modules call this in RECOMMEND and AUTO modes). */
  public void recommend(Recommendation recommendation) {
    Checks.notNull("recommendation", recommendation);
    synchronized (recommendations) {
      recommendations.add(recommendation);
    }
  }

  /** The recommendations made so far, oldest first. */
  public List<Recommendation> recommendations() {
    synchronized (recommendations) {
      return List.copyOf(recommendations);
    }
  }

  /** The decisions kept (see {@link TuningSettings#decisionHistory()}), oldest first. */
  public List<Decision> decisions() {
    return engine.decisions();
  }

  /** Where each tuned knob's cycle stands. */
  public List<TuningState> tuningStates() {
    return engine.states();
  }

  /** Adds a listener told of each decision as it is made; its exceptions are logged. */
  public void addDecisionListener(Consumer<Decision> listener) {
    engine.addListener(Checks.notNull("listener", listener));
  }

  /**
   * Runs one tuning cycle now: what the scheduler does every {@code tickInterval}. Tests that built
   * the optimizer with {@link Builder#manualTuning()} call it after advancing their ticker.
   *
   * @return the decisions reached in this cycle
   */
  public List<Decision> runTuningCycle() {
    checkOpen();
    return engine.runCycle();
  }

  private void scheduledCycle() {
    try {
      engine.runCycle();
    } catch (VirtualMachineError e) {
      throw e;
    } catch (Throwable e) {
      // Any throwable would silently cancel the periodic task; log it and keep tuning.
      LOG.log(System.Logger.Level.WARNING, "tuning cycle failed", e);
    }
  }

  /** What the optimizer saw, changed and recommends. */
  public Report report() {
    List<dev.optimizer.api.KnobSnapshot> snapshots = new ArrayList<>();
    for (Knob<?> k : knobsView()) {
      snapshots.add(k.snapshot());
    }
    return new Report(
        clock.instant(), mode, snapshots, decisions(), recommendations(), platform.attributes());
  }

  /**
   * Registers something to close when this optimizer closes (in reverse order of registration).
   *
   * <p>The optimizer holds {@code closeable} until then, or until the returned registration is
   * {@linkplain Registration#release() released}. Whatever can also be closed on its own (a wrapper
   * the application closes before the optimizer, say) releases its registration in its own {@code
   * close()}, so that the optimizer does not keep it, and all it references, reachable for as long
   * as the optimizer lives:
   *
   * <pre>{@code
   * this.registration = optimizer.onClose(this);
   * ...
   * public void close() {
   *   registration.release();
   *   // release what this object holds
   * }
   * }</pre>
   *
   * <p>The optimizer may close {@code closeable} while it closes itself, concurrently with the
   * object's own {@code close()}: that must be idempotent, as {@link AutoCloseable} advises.
   *
   * @return the registration, to release once {@code closeable} is closed by other means
   * @throws IllegalStateException if this optimizer is closed
   */
  public Registration onClose(AutoCloseable closeable) {
    Registration registration = new Registration(Checks.notNull("closeable", closeable));
    synchronized (closeables) {
      checkOpen();
      closeables.add(registration);
    }
    return registration;
  }

  /** How many registrations of {@link #onClose} are held, for tests. */
  int registrations() {
    synchronized (closeables) {
      return closeables.size();
    }
  }

  /**
   * What {@link Optimizer#onClose} returns: the optimizer's hold on one closeable. {@link
   * #release()} ends it. Thread-safe.
   */
  public final class Registration {
    private final AtomicReference<AutoCloseable> closeable;

    private Registration(AutoCloseable closeable) {
      this.closeable = new AtomicReference<>(closeable);
    }

    /**
     * The optimizer no longer holds the closeable, nor closes it when it closes; for its owner to
     * call when it is closed by other means. Idempotent; harmless while or after the optimizer
     * closes.
     */
    public void release() {
      closeable.set(null);
      synchronized (closeables) {
        closeables.remove(this);
      }
    }

    /** The closeable, taken once: the optimizer closes it unless it was released first. */
    private AutoCloseable take() {
      return closeable.getAndSet(null);
    }
  }

  /**
   * Stops tuning (restoring the values replaced by running trials), closes everything registered
   * with {@link #onClose} and not released, in reverse order, and stops the scheduler if this
   * optimizer created it. Idempotent. The first failure is rethrown after all were attempted (an
   * {@link Error} before any exception, the others suppressed in it).
   */
  @Override
  public void close() {
    List<Registration> toClose;
    synchronized (closeables) {
      if (closed) {
        return;
      }
      closed = true;
      toClose = new ArrayList<>(closeables);
      closeables.clear();
    }
    Collections.reverse(toClose);
    if (tuningTask != null) {
      tuningTask.cancel(false);
    }
    // Before closing anything: wait for a running cycle, and put back the values of running
    // trials, so that resources that outlive the optimizer keep their judged settings.
    engine.shutdown();
    // Every resource, the telemetry and the tuner thread are released even when one resource
    // fails to close, with an Error too (close() cannot be retried: it already counts as closed).
    Throwable failure = null;
    for (Registration r : toClose) {
      AutoCloseable c = r.take();
      if (c == null) {
        continue; // released: its owner closed it
      }
      try {
        c.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = new IllegalStateException("closing " + c + " failed", e);
        } else {
          failure.addSuppressed(e);
        }
      } catch (Error e) {
        if (failure != null) {
          e.addSuppressed(failure);
        }
        failure = e;
      }
    }
    try {
      telemetry.close();
    } finally {
      if (ownsScheduler && scheduler != null) {
        scheduler.shutdownNow();
        try {
          scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    if (failure instanceof Error e) {
      throw e;
    }
    if (failure != null) {
      throw (RuntimeException) failure;
    }
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("optimizer is closed");
    }
  }

  /**
   * Registers one knob for tuning; obtained from {@link Optimizer#tune(Knob, Signal)}.
   *
   * @param <T> the knob's value type
   */
  public final class Tuning<T extends Comparable<? super T>> {
    private final Knob<T> knob;
    private final Signal signal;
    private Controller controller;
    private Objective objective = Objective.maximizeThroughput();
    private boolean judged = true;

    private Tuning(Knob<T> knob, Signal signal) {
      this.knob = knob;
      this.signal = signal;
    }

    /** The controller proposing values; a new {@link HillClimbController} if not given. */
    public Tuning<T> controller(Controller controller) {
      this.controller = Checks.notNull("controller", controller);
      return this;
    }

    /** What the knob should achieve; maximize throughput if not given. */
    public Tuning<T> objective(Objective objective) {
      this.objective = Checks.notNull("objective", objective);
      return this;
    }

    /**
     * Whether each change is a judged trial (the default). Feedback controllers that correct
     * themselves every window, such as a gradient concurrency limit, may run unjudged; bounds and
     * step limits still hold.
     */
    public Tuning<T> judged(boolean judged) {
      this.judged = judged;
      return this;
    }

    /**
     * Registers the knob and starts tuning it on the next cycle.
     *
     * @throws IllegalArgumentException if the knob is already tuned or another knob has its name
     */
    public Knob<T> start() {
      register(knob);
      engine.register(
          knob,
          signal,
          controller != null ? controller : new HillClimbController(),
          objective,
          judged);
      return knob;
    }
  }

  /**
   * Builds an {@link Optimizer}. Each setting is checked when given; a setting may be given once.
   */
  public static final class Builder {
    private OpenTelemetry openTelemetry;
    private Clock clock = Clock.systemUTC();
    private Ticker ticker = Ticker.system();
    private ScheduledExecutorService scheduler;
    private boolean manualTuning;
    private Mode mode = Mode.AUTO;
    private JudgeSettings judgeSettings = JudgeSettings.defaults();
    private TuningSettings tuningSettings = TuningSettings.defaults();
    private PlatformProbe platformProbe = PlatformProbe.create();
    private final java.util.Set<String> given = new java.util.HashSet<>();

    private Builder() {}

    private void once(String setting) {
      Checks.notSetBefore(setting, !given.add(setting));
    }

    /**
     * The OpenTelemetry instance. If not given, the global one when the application has registered
     * it, else a no-op ({@link GlobalOpenTelemetry#getOrNoop()}): building an optimizer never
     * registers a global instance itself, so an application that registers its SDK later still can
     * (and passes it here to have the optimizer's telemetry).
     */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      once("openTelemetry");
      this.openTelemetry = Checks.notNull("openTelemetry", openTelemetry);
      return this;
    }

    /** The wall clock for timestamps; {@link Clock#systemUTC()} if not given. */
    public Builder clock(Clock clock) {
      once("clock");
      this.clock = Checks.notNull("clock", clock);
      return this;
    }

    /** The monotonic time source; {@link Ticker#system()} if not given. */
    public Builder ticker(Ticker ticker) {
      once("ticker");
      this.ticker = Checks.notNull("ticker", ticker);
      return this;
    }

    /**
     * A scheduler to run tuning on; it is not shut down by {@link Optimizer#close()}. If not given,
     * the optimizer starts one daemon thread named {@code optimizer-tuner} and stops it on close.
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      once("scheduler");
      this.scheduler = Checks.notNull("scheduler", scheduler);
      return this;
    }

    /**
     * No background tuning: cycles run only when {@link Optimizer#runTuningCycle()} is called. For
     * tests and for applications that drive tuning themselves.
     */
    public Builder manualTuning() {
      once("manualTuning");
      this.manualTuning = true;
      return this;
    }

    /** The mode; {@link Mode#AUTO} if not given. */
    public Builder mode(Mode mode) {
      once("mode");
      this.mode = Checks.notNull("mode", mode);
      return this;
    }

    /** How demanding the judge is; {@link JudgeSettings#defaults()} if not given. */
    public Builder judge(JudgeSettings judgeSettings) {
      once("judge");
      this.judgeSettings = Checks.notNull("judge", judgeSettings);
      return this;
    }

    /** The tuning rhythm; {@link TuningSettings#defaults()} if not given. */
    public Builder tuning(TuningSettings tuningSettings) {
      once("tuning");
      this.tuningSettings = Checks.notNull("tuning", tuningSettings);
      return this;
    }

    /**
     * The probe that reads the platform once at build time; one of this machine if not given. Tests
     * pass a probe over a fake file tree.
     */
    public Builder platformProbe(PlatformProbe platformProbe) {
      once("platformProbe");
      this.platformProbe = Checks.notNull("platformProbe", platformProbe);
      return this;
    }

    /** Builds the optimizer; unless tuning is manual, the tuning cycle starts now. */
    public Optimizer build() {
      return new Optimizer(this);
    }
  }
}
