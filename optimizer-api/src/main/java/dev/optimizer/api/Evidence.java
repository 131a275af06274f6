package dev.optimizer.api;

import java.util.List;

/**
 * Why the judge reached its verdict: both arms summarized, every test it ran, and a one-line
 * reason.
 *
 * @param baseline the baseline arm
 * @param trial the trial arm
 * @param findings each test's result
 * @param reason the deciding finding or rule, in words
 */
public record Evidence(
    ArmSummary baseline, ArmSummary trial, List<Finding> findings, String reason) {

  /** Copies the findings. */
  public Evidence {
    findings = List.copyOf(findings);
  }
}
