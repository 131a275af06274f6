package dev.optimizer.db.advisor.internal;

import java.sql.SQLException;
import java.util.List;

/** Plans statements as if a candidate index existed. */
public interface Evaluator {
  /** A short name for reports: {@code hypopg} or {@code sandbox}. */
  String method();

  /**
   * The plans of the probes with the candidate present.
   *
   * @throws SQLException when the index cannot be made (the candidate is then skipped)
   */
  Evaluation evaluate(Candidate candidate, List<Probe> probes) throws SQLException;
}
