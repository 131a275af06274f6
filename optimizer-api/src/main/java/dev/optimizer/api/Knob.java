package dev.optimizer.api;

import dev.optimizer.api.internal.Checks;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A named, bounded, settable value that the optimizer may tune: a pool's maximum size, a batch
 * size, a batch delay, a cache capacity, a concurrency limit, a hedge delay.
 *
 * <p>A knob never holds a value outside {@code [min, max]}. Automatic changes additionally move at
 * most {@link #maxStep()} at a time; a person (or a test) may set any value within the bounds.
 * Reading the value is a volatile read; writing it runs the knob's <em>applier</em> (for example
 * {@code HikariConfigMXBean::setMaximumPoolSize}) before the new value becomes visible, and leaves
 * the old value in place if the applier throws.
 *
 * <p>A knob may be <em>pinned</em>: the tuning engine then leaves it alone until it is unpinned.
 *
 * <pre>{@code
 * Knob<Integer> poolSize = Knob.ofInt("db.pool.max_size", 10)
 *     .range(2, 64)
 *     .maxStep(8)
 *     .onChange(hikari::setMaximumPoolSize)
 *     .build();
 * }</pre>
 *
 * <p>Thread-safe.
 *
 * @param <T> the value type: {@link Integer}, {@link Long}, {@link Double} or {@link Duration}
 */
public final class Knob<T extends Comparable<? super T>> {

  /** Receives each change of a knob's value, after it has been applied. */
  @FunctionalInterface
  public interface Listener<T extends Comparable<? super T>> {
    /**
     * Called after the knob moved from {@code oldValue} to {@code newValue}, under the knob's lock
     * so that changes arrive in order. Must be fast and must not block; an exception thrown here is
     * logged, not propagated to the code that set the knob.
     */
    void onChange(Knob<T> knob, T oldValue, T newValue);
  }

  private final String name;
  private final String description;
  private final KnobType<T> type;
  private final T min;
  private final T max;
  private final T maxStep;
  private final Consumer<? super T> applier;
  private final List<Listener<T>> listeners = new CopyOnWriteArrayList<>();
  private volatile T value;
  private volatile boolean pinned;

  private Knob(Builder<T> b) {
    this.name = b.name;
    this.description = b.description;
    this.type = b.type;
    this.min = b.min;
    this.max = b.max;
    this.maxStep = b.maxStep;
    this.applier = b.applier;
    this.value = b.initial;
  }

  /** Starts a knob of whole numbers with the given current value. */
  public static Builder<Integer> ofInt(String name, int initial) {
    return new Builder<>(name, KnobType.INT, initial);
  }

  /** Starts a knob of wide whole numbers with the given current value. */
  public static Builder<Long> ofLong(String name, long initial) {
    return new Builder<>(name, KnobType.LONG, initial);
  }

  /** Starts a knob of real numbers with the given current value. */
  public static Builder<Double> ofDouble(String name, double initial) {
    return new Builder<>(name, KnobType.DOUBLE, initial);
  }

  /** Starts a knob of durations with the given current value. */
  public static Builder<Duration> ofDuration(String name, Duration initial) {
    return new Builder<>(name, KnobType.DURATION, initial);
  }

  /** The knob's name, unique within one optimizer, e.g. {@code db.pool.max_size}. */
  public String name() {
    return name;
  }

  /** What the knob controls, for reports; may be empty. */
  public String description() {
    return description;
  }

  /** The knob's value type. */
  public KnobType<T> type() {
    return type;
  }

  /** The current value. */
  public T value() {
    return value;
  }

  /** The smallest value the knob may hold. */
  public T min() {
    return min;
  }

  /** The largest value the knob may hold. */
  public T max() {
    return max;
  }

  /** The largest distance one automatic change may move the knob. */
  public T maxStep() {
    return maxStep;
  }

  /** The current value on the numeric line of its {@link #type()}. */
  public double numericValue() {
    return type.toNumber(value);
  }

  /** Whether the tuning engine must leave this knob alone. */
  public boolean isPinned() {
    return pinned;
  }

  /**
   * Sets the value. The applier runs first; if it throws, the value is unchanged and the exception
   * propagates.
   *
   * @throws IllegalArgumentException if the value is outside {@code [min, max]}
   */
  public void set(T newValue) {
    update(newValue, false, false);
  }

  /** Sets the value from a position on the numeric line, rounded to the type's granularity. */
  public void setNumeric(double number) {
    set(type.fromNumber(number));
  }

  /**
   * Sets the value unless the knob is pinned, atomically with respect to {@link #pin}: what the
   * tuning engine uses, so that a person's pin always wins over a change in flight.
   *
   * @return whether the value was set
   */
  public boolean setNumericUnlessPinned(double number) {
    return update(type.fromNumber(number), true, false);
  }

  /** Sets the value and pins the knob in one step, so that the tuning engine leaves it there. */
  public void pin(T pinnedValue) {
    update(pinnedValue, false, true);
  }

  /** Pins the knob at its current value (during a trial, that is the trial's value). */
  public void pin() {
    synchronized (this) {
      pinned = true;
    }
  }

  /** Lets the tuning engine move the knob again. */
  public void unpin() {
    synchronized (this) {
      pinned = false;
    }
  }

  /** Adds a listener told of every change after it is applied. */
  public void addListener(Listener<T> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Removes a listener added before; does nothing if it was not added. */
  public void removeListener(Listener<T> listener) {
    listeners.remove(listener);
  }

  /** A point-in-time view of this knob for reports. */
  public KnobSnapshot snapshot() {
    T v = value;
    return new KnobSnapshot(
        name,
        description,
        type.name(),
        type.format(v),
        type.format(min),
        type.format(max),
        type.format(maxStep),
        type.toNumber(v),
        type.toNumber(min),
        type.toNumber(max),
        type.toNumber(maxStep),
        pinned);
  }

  private boolean update(T newValue, boolean unlessPinned, boolean pinAfter) {
    checkInBounds(newValue);
    synchronized (this) {
      if (unlessPinned && pinned) {
        return false;
      }
      T old = value;
      if (old.compareTo(newValue) != 0) {
        applier.accept(newValue);
        value = newValue;
        // Under the lock, so that listeners see changes in the order they happened.
        for (Listener<T> listener : listeners) {
          try {
            listener.onChange(this, old, newValue);
          } catch (RuntimeException e) {
            // A listener must not turn a successful change into a failing one; report and go on.
            System.getLogger(Knob.class.getName())
                .log(System.Logger.Level.WARNING, "knob listener failed for " + name, e);
          }
        }
      }
      if (pinAfter) {
        pinned = true;
      }
      return true;
    }
  }

  private void checkInBounds(T candidate) {
    Objects.requireNonNull(candidate, () -> name + " must not be set to null");
    if (candidate.compareTo(min) < 0 || candidate.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          name
              + " must be in ["
              + type.format(min)
              + ", "
              + type.format(max)
              + "], but was "
              + type.format(candidate));
    }
  }

  @Override
  public String toString() {
    return name
        + "="
        + type.format(value)
        + " in ["
        + type.format(min)
        + ", "
        + type.format(max)
        + "]"
        + (pinned ? " (pinned)" : "");
  }

  /**
   * Builds a {@link Knob}. Each setting is checked when given; {@link #build()} checks that the
   * initial value lies within the range and that the step limit is positive.
   */
  public static final class Builder<T extends Comparable<? super T>> {
    private final String name;
    private final KnobType<T> type;
    private final T initial;
    private String description = "";
    private T min;
    private T max;
    private T maxStep;
    private Consumer<? super T> applier = v -> {};

    private Builder(String name, KnobType<T> type, T initial) {
      this.name = Checks.notBlank("knob name", name);
      this.type = type;
      this.initial = Checks.notNull(name + " initial value", initial);
      type.fromNumber(type.toNumber(initial)); // rejects NaN and infinities
    }

    /** Sets the inclusive bounds. Required. */
    public Builder<T> range(T min, T max) {
      Checks.notSetBefore(name + " range", this.min != null);
      Checks.notNull(name + " min", min);
      Checks.notNull(name + " max", max);
      if (!Double.isFinite(type.toNumber(min)) || !Double.isFinite(type.toNumber(max))) {
        throw new IllegalArgumentException(
            name + " range must be finite, but was [" + min + ", " + max + "]");
      }
      if (min.compareTo(max) > 0) {
        throw new IllegalArgumentException(
            name
                + " range must have min <= max, but was ["
                + type.format(min)
                + ", "
                + type.format(max)
                + "]");
      }
      this.min = min;
      this.max = max;
      return this;
    }

    /**
     * Sets the largest distance one automatic change may move the knob. Defaults to a quarter of
     * the range (at least the type's granularity).
     */
    public Builder<T> maxStep(T maxStep) {
      Checks.notSetBefore(name + " maxStep", this.maxStep != null);
      Checks.notNull(name + " maxStep", maxStep);
      double step = type.toNumber(maxStep);
      if (!(step > 0) || !Double.isFinite(step)) {
        throw new IllegalArgumentException(
            name + " maxStep must be positive, but was " + type.format(maxStep));
      }
      this.maxStep = maxStep;
      return this;
    }

    /** Describes what the knob controls, for reports. */
    public Builder<T> description(String description) {
      this.description = Checks.notNull(name + " description", description);
      return this;
    }

    /**
     * Sets the code that applies a new value to the thing the knob controls, e.g. {@code
     * hikari::setMaximumPoolSize}. It runs under the knob's lock, before the value becomes visible.
     */
    public Builder<T> onChange(Consumer<? super T> applier) {
      this.applier = Checks.notNull(name + " onChange", applier);
      return this;
    }

    /**
     * Builds the knob; the applier is not called for the initial value.
     *
     * @throws IllegalStateException if no range was given
     * @throws IllegalArgumentException if the initial value is outside the range
     */
    public Knob<T> build() {
      if (min == null) {
        throw new IllegalStateException(name + " range must be set");
      }
      if (initial.compareTo(min) < 0 || initial.compareTo(max) > 0) {
        throw new IllegalArgumentException(
            name
                + " initial value must be in ["
                + type.format(min)
                + ", "
                + type.format(max)
                + "], but was "
                + type.format(initial));
      }
      if (maxStep == null) {
        double quarter = (type.toNumber(max) - type.toNumber(min)) / 4;
        maxStep = type.fromNumber(Math.max(quarter, Math.max(type.granularity(), 1e-9)));
        if (type.toNumber(maxStep) <= 0) {
          maxStep = type.fromNumber(Math.max(type.granularity(), 1));
        }
      }
      return new Knob<>(this);
    }
  }
}
