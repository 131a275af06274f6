package dev.optimizer.db.advisor.internal;

/**
 * A workload statement ready to be evaluated: one sample to EXPLAIN, its shape, and its plan as
 * things stand.
 *
 * @param statement the workload statement (weight: its total time)
 * @param sample the execution EXPLAINed
 * @param shape what it does with which tables
 * @param base its plan with the existing indexes only
 */
public record Probe(
    WorkloadStatement statement, ExecutionSample sample, QueryShape shape, Plan base) {}
