package dev.optimizer.db.advisor.internal;

import java.util.List;

/**
 * A candidate's effect on the statements that touch its table.
 *
 * @param candidate the index
 * @param bytes its (estimated or measured) size
 * @param probes the statements evaluated
 * @param plans their plans with the index present, in the same order
 */
public record Evaluation(Candidate candidate, long bytes, List<Probe> probes, List<Plan> plans) {
  /** Copies the lists. */
  public Evaluation {
    probes = List.copyOf(probes);
    plans = List.copyOf(plans);
  }
}
