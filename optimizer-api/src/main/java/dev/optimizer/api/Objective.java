package dev.optimizer.api;

import dev.optimizer.api.internal.Checks;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a tuned knob should achieve — maximize throughput or minimize a latency percentile — and the
 * limits it must respect on the way (error rate, a latency percentile). Also the tie-break used
 * when a trial is neither better nor worse: a cheaper setting (a smaller pool) is worth keeping
 * when it costs nothing measurable. A trial may also have to reach a floor on a gauge of its window
 * (a cache's hit rate): {@link #withMinGauge}.
 *
 * <p>Immutable; each {@code with...} method returns a new objective.
 */
public final class Objective {

  /** What to optimize. */
  public enum Goal {
    /** More completed operations per second is better. */
    MAXIMIZE_THROUGHPUT,
    /** A lower latency at {@link #percentile()} is better. */
    MINIMIZE_LATENCY
  }

  /** Which direction of the knob is cheaper when two values perform alike. */
  public enum Preference {
    /** No preference: an inconclusive trial is reverted. */
    NONE,
    /** Lower values are cheaper: an inconclusive trial that lowered the knob is kept. */
    LOWER,
    /** Higher values are cheaper: an inconclusive trial that raised the knob is kept. */
    HIGHER
  }

  private final Goal goal;
  private final double percentile;
  private final double maxErrorRate;
  private final Duration latencyLimit;
  private final double limitPercentile;
  private final Preference preference;
  private final Map<String, Double> minGauges;

  private Objective(
      Goal goal,
      double percentile,
      double maxErrorRate,
      Duration latencyLimit,
      double limitPercentile,
      Preference preference) {
    this(goal, percentile, maxErrorRate, latencyLimit, limitPercentile, preference, Map.of());
  }

  private Objective(
      Goal goal,
      double percentile,
      double maxErrorRate,
      Duration latencyLimit,
      double limitPercentile,
      Preference preference,
      Map<String, Double> minGauges) {
    this.goal = goal;
    this.percentile = percentile;
    this.maxErrorRate = maxErrorRate;
    this.latencyLimit = latencyLimit;
    this.limitPercentile = limitPercentile;
    this.preference = preference;
    this.minGauges = minGauges;
  }

  /** Maximize throughput; the tail guarded is p99. */
  public static Objective maximizeThroughput() {
    return new Objective(Goal.MAXIMIZE_THROUGHPUT, 99.0, 1.0, null, 99.0, Preference.NONE);
  }

  /**
   * Minimize the latency at a percentile.
   *
   * @param percentile in {@code [50, 99.99]}, e.g. 99
   */
  public static Objective minimizeLatency(double percentile) {
    Checks.inRange("percentile", percentile, 50.0, 99.99);
    return new Objective(Goal.MINIMIZE_LATENCY, percentile, 1.0, null, percentile, Preference.NONE);
  }

  /**
   * Limits the error rate: a trial whose error rate rises significantly is reverted, and tuning
   * freezes while the baseline itself exceeds the limit.
   *
   * @param maxErrorRate in {@code [0, 1]}
   */
  public Objective withMaxErrorRate(double maxErrorRate) {
    Checks.inRange("maxErrorRate", maxErrorRate, 0.0, 1.0);
    return new Objective(
        goal, percentile, maxErrorRate, latencyLimit, limitPercentile, preference, minGauges);
  }

  /**
   * Limits the latency at a percentile: a trial that pushes it above {@code limit} is reverted. A
   * latency objective keeps minimizing its own percentile; for a throughput objective the limit's
   * percentile also becomes the tail reported in the evidence.
   *
   * @param percentile in {@code [50, 99.99]}
   * @param limit positive
   */
  public Objective withLatencyLimit(double percentile, Duration limit) {
    Checks.inRange("percentile", percentile, 50.0, 99.99);
    Checks.positive("latency limit", limit);
    double watched = goal == Goal.MAXIMIZE_THROUGHPUT ? percentile : this.percentile;
    return new Objective(goal, watched, maxErrorRate, limit, percentile, preference, minGauges);
  }

  /** Sets which direction of the knob is cheaper when a trial is inconclusive. */
  public Objective withPreference(Preference preference) {
    Checks.notNull("preference", preference);
    return new Objective(
        goal, percentile, maxErrorRate, latencyLimit, limitPercentile, preference, minGauges);
  }

  /**
   * Requires the trial window's mean of a gauge (see {@link Window#gauges()}) to reach a floor: a
   * trial below it, or whose window recorded no sample of the gauge, is reverted whatever its
   * latency, as a cache trial whose observed hit rate falls short of what justified it. A plain
   * threshold on the trial's own measurement, not a comparison with the baseline (which may not
   * have the gauge at all).
   *
   * @param gauge the gauge's name, not blank
   * @param minimum the floor, finite
   */
  public Objective withMinGauge(String gauge, double minimum) {
    Checks.notBlank("gauge", gauge);
    if (!Double.isFinite(minimum)) {
      throw new IllegalArgumentException(
          "minimum of gauge " + gauge + " must be finite, but was " + minimum);
    }
    Map<String, Double> floors = new TreeMap<>(minGauges);
    floors.put(gauge, minimum);
    return new Objective(
        goal,
        percentile,
        maxErrorRate,
        latencyLimit,
        limitPercentile,
        preference,
        Map.copyOf(floors));
  }

  /** The floors the trial window's gauges must reach, by gauge name; empty if none. */
  public Map<String, Double> minGauges() {
    return minGauges;
  }

  /** What to optimize. */
  public Goal goal() {
    return goal;
  }

  /** The latency percentile optimized or guarded (the tail the judge watches), in (0, 100). */
  public double percentile() {
    return percentile;
  }

  /** The highest acceptable error rate. */
  public double maxErrorRate() {
    return maxErrorRate;
  }

  /** The highest acceptable latency at {@link #latencyLimitPercentile()}, if limited. */
  public Optional<Duration> latencyLimit() {
    return Optional.ofNullable(latencyLimit);
  }

  /** The percentile the latency limit applies to (meaningful when a limit is set). */
  public double latencyLimitPercentile() {
    return limitPercentile;
  }

  /** The tie-break for inconclusive trials. */
  public Preference preference() {
    return preference;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    s.append(goal == Goal.MAXIMIZE_THROUGHPUT ? "maximize throughput" : "minimize p" + percentile);
    if (maxErrorRate < 1.0) {
      s.append(", error rate <= ").append(maxErrorRate);
    }
    if (latencyLimit != null) {
      s.append(", p").append(limitPercentile).append(" <= ").append(latencyLimit);
    }
    if (preference != Preference.NONE) {
      s.append(", prefer ").append(preference.name().toLowerCase(java.util.Locale.ROOT));
    }
    new TreeMap<>(minGauges).forEach((g, m) -> s.append(", ").append(g).append(" >= ").append(m));
    return s.toString();
  }
}
