package dev.optimizer.db.advisor;

/**
 * One statement a recommended index serves.
 *
 * @param fingerprintId the statement's fingerprint
 * @param text its sanitized text
 * @param costBefore the planner's cost now
 * @param costAfter the planner's cost with the index
 * @param planBefore the plan now (node types, indexes, costs; no values)
 * @param planAfter the plan with the index
 */
public record StatementGain(
    long fingerprintId,
    String text,
    double costBefore,
    double costAfter,
    String planBefore,
    String planAfter) {}
