package dev.optimizer.benchmarks;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The figures of one run: the baseline's and the optimized path's measurements, the ratios the
 * scenario is judged on, and each ratio's target ({@code <= x} or {@code >= x}).
 */
public final class ScenarioResult {
  /** A target on one ratio. */
  public record Target(String op, double bound) {
    /** The ratio must be at most {@code bound}. */
    public static Target atMost(double bound) {
      return new Target("<=", bound);
    }

    /** The ratio must be at least {@code bound}. */
    public static Target atLeast(double bound) {
      return new Target(">=", bound);
    }

    boolean met(double value) {
      return "<=".equals(op) ? value <= bound : value >= bound;
    }
  }

  final Map<String, Object> baseline = new LinkedHashMap<>();
  final Map<String, Object> optimized = new LinkedHashMap<>();
  final Map<String, Double> ratios = new LinkedHashMap<>();
  final Map<String, Target> targets = new LinkedHashMap<>();
  final Map<String, Object> notes = new LinkedHashMap<>();
  final Map<String, Object> extra = new LinkedHashMap<>();

  /** Records a baseline measurement. */
  public ScenarioResult baseline(String key, Object value) {
    baseline.put(key, value);
    return this;
  }

  /** Records an optimized-path measurement. */
  public ScenarioResult optimized(String key, Object value) {
    optimized.put(key, value);
    return this;
  }

  /** Records a measurement of the baseline side when {@code baseline}, else of the optimized. */
  public ScenarioResult side(boolean baseline, String key, Object value) {
    return baseline ? baseline(key, value) : optimized(key, value);
  }

  /** Records a ratio the scenario is judged on, with its target. */
  public ScenarioResult ratio(String key, double value, Target target) {
    ratios.put(key, value);
    targets.put(key, target);
    return this;
  }

  /** Records a ratio reported without a target. */
  public ScenarioResult ratio(String key, double value) {
    ratios.put(key, value);
    return this;
  }

  /** Records a note: a setting or a fact a reader needs to interpret the figures. */
  public ScenarioResult note(String key, Object value) {
    notes.put(key, value);
    return this;
  }

  /**
   * Records a structured value written at the top level of the JSON (not in the table): numbers,
   * booleans, strings, and lists and maps of them, e.g. a precision-recall curve.
   */
  public ScenarioResult extra(String key, Object value) {
    extra.put(key, value);
    return this;
  }

  /** Whether every ratio with a target met it. */
  public boolean passed() {
    for (Map.Entry<String, Target> e : targets.entrySet()) {
      Double v = ratios.get(e.getKey());
      if (v == null || !e.getValue().met(v)) {
        return false;
      }
    }
    return true;
  }

  /** Whether one ratio met its target. */
  public boolean met(String ratio) {
    Target t = targets.get(ratio);
    Double v = ratios.get(ratio);
    return t == null || (v != null && t.met(v));
  }
}
