package dev.optimizer.db.advisor;

import java.util.List;

/**
 * What {@link IndexAdvisor#apply(AdvisorReport)} did, one entry per recommendation.
 *
 * @param indexes the outcome of each recommendation, in order
 * @param invalidIndexesDropped names of INVALID indexes of ours (from an earlier failed build)
 *     dropped before applying
 */
public record ApplyReport(List<AppliedIndex> indexes, List<String> invalidIndexesDropped) {
  /** Copies the lists. */
  public ApplyReport {
    indexes = List.copyOf(indexes);
    invalidIndexesDropped = List.copyOf(invalidIndexesDropped);
  }

  /** How many had the given outcome. */
  public long count(AppliedIndex.Outcome outcome) {
    return indexes.stream().filter(i -> i.outcome() == outcome).count();
  }
}
