package dev.optimizer.spring.boot.autoconfigure;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code /actuator/optimizer}: the optimizer's report as JSON (knobs, decisions, recommendations,
 * platform, and each module's counters under {@code "modules"}). Exposed over the web like any
 * endpoint: {@code management.endpoints.web.exposure.include=optimizer}.
 */
@Endpoint(id = "optimizer")
public class OptimizerEndpoint {
  private final OptimizerReporter reporter;

  /** An endpoint serving {@code reporter}'s JSON. */
  public OptimizerEndpoint(OptimizerReporter reporter) {
    this.reporter = reporter;
  }

  /** The report, already JSON text (written as is, not quoted). */
  @ReadOperation(produces = "application/json")
  public String report() {
    return reporter.json();
  }
}
