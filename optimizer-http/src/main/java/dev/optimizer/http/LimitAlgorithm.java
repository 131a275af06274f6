package dev.optimizer.http;

/** The runtime controller that moves each host's concurrency limit. */
public enum LimitAlgorithm {
  /** {@link dev.optimizer.runtime.control.GradientController}: follows the latency gradient. */
  GRADIENT,
  /** {@link dev.optimizer.runtime.control.AimdController}: backs off on drops (429, 503). */
  AIMD
}
