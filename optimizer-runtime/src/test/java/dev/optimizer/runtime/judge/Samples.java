package dev.optimizer.runtime.judge;

import dev.optimizer.api.Distribution;
import dev.optimizer.api.Window;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

/** Builds windows of synthetic latencies for judge tests. */
final class Samples {
  private Samples() {}

  /** Log-normal latencies (median in ms), optionally rounded to a grid to create ties. */
  static Window window(
      SplittableRandom r,
      int n,
      double medianMillis,
      double sigma,
      double gridMillis,
      double errorRate,
      DoubleUnaryOperator transform) {
    double[] v = new double[n];
    long errors = 0;
    for (int i = 0; i < n; i++) {
      double ms = transform.applyAsDouble(medianMillis * Math.exp(sigma * r.nextGaussian()));
      if (gridMillis > 0) {
        ms = Math.max(gridMillis, Math.round(ms / gridMillis) * gridMillis);
      }
      v[i] = ms * 1e6;
      if (r.nextDouble() < errorRate) {
        errors++;
      }
    }
    return new Window(
        0, 10_000_000_000L, Distribution.of(v), n, errors, new double[] {1, 1, 1}, Map.of());
  }

  static Window window(SplittableRandom r, int n, DoubleUnaryOperator transform) {
    return window(r, n, 10, 0.5, 0, 0, transform);
  }

  /** A window with throughput slices drawn around a mean. */
  static Window throughputWindow(SplittableRandom r, int slices, double mean, double noise) {
    double[] s = new double[slices];
    for (int i = 0; i < slices; i++) {
      s[i] = mean * (1 + noise * r.nextGaussian());
    }
    Window lat = window(r, 1000, v -> v);
    return new Window(0, slices * 1_000_000_000L, lat.latencyNanos(), 1000, 0, s, Map.of());
  }
}
