package dev.optimizer.benchmarks;

/** One benchmark scenario: runs the baseline and the optimized path side by side in one run. */
public interface Scenario {

  /** The name used on the command line, e.g. {@code runtime-judge}. */
  String name();

  /** One line describing what is compared. */
  String description();

  /**
   * Runs the scenario.
   *
   * @param quick whether to finish within about 90 seconds on a 2-core machine
   */
  ScenarioResult run(boolean quick) throws Exception;
}
