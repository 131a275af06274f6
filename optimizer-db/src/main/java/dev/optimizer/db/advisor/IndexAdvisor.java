package dev.optimizer.db.advisor;

import dev.optimizer.api.Recommendation;
import dev.optimizer.api.internal.Checks;
import dev.optimizer.db.advisor.internal.Workload;
import dev.optimizer.db.advisor.internal.WorkloadSampler;
import dev.optimizer.runtime.Optimizer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * Recommends indexes from the application's own workload, and applies them when allowed.
 *
 * <pre>{@code
 * DbOptimizer db = DbOptimizer.builder(optimizer).indexAdvisor(true).build();
 * DataSource ds = db.wrap(hikari);
 * ... the application runs ...
 * IndexAdvisor advisor = db.indexAdvisor(ds, AdvisorSettings.defaults());
 * AdvisorReport report = advisor.analyze();
 * String markdown = report.toMarkdown();   // or report.toJson()
 * advisor.publish(report);                  // into optimizer.report()
 * }</pre>
 *
 * <p>The workload is what the wrapped data sources executed: each fingerprint weighted by its total
 * time (and by {@code pg_stat_statements} where installed), with a few real executions sampled in
 * memory. Candidates come from each statement's predicates; each is evaluated with HypoPG where the
 * extension is installed, otherwise — only when {@link AdvisorSettings.Builder#allowSandbox} is set
 * and only on tables under a size limit — by building it inside a rolled-back transaction. A greedy
 * selection by benefit per byte picks the set within the budgets. Statements that cannot be parsed
 * are skipped with a note. PostgreSQL, and MariaDB/MySQL for recommendations (sandbox only: no
 * hypothetical indexes there); other databases give a report with a note.
 *
 * <p>Not thread-safe: one analysis or apply at a time per advisor.
 */
public final class IndexAdvisor {
  private final Optimizer optimizer;
  private final DataSource dataSource;
  private final AdvisorSettings settings;
  private final Workload workload;
  private final WorkloadSampler sampler;

  /**
   * Not for applications: use {@code DbOptimizer.indexAdvisor(DataSource, AdvisorSettings)}.
   *
   * @param dataSource an unwrapped data source (the advisor's own statements are not workload)
   */
  public IndexAdvisor(
      Optimizer optimizer,
      DataSource dataSource,
      AdvisorSettings settings,
      Workload workload,
      WorkloadSampler sampler) {
    this.optimizer = Checks.notNull("optimizer", optimizer);
    this.dataSource = Checks.notNull("dataSource", dataSource);
    this.settings = Checks.notNull("settings", settings);
    this.workload = Checks.notNull("workload", workload);
    this.sampler = Checks.notNull("sampler", sampler);
  }

  /**
   * Analyzes the workload seen so far. Read-only but for ANALYZE of tables without statistics and,
   * when allowed, the sandbox's rolled-back builds.
   *
   * @throws SQLException when the database cannot be reached or its catalog read
   */
  public AdvisorReport analyze() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      workload.learn(c);
      String product = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
      if (product.contains("mariadb") || product.contains("mysql")) {
        return new MariaDbAnalysis(settings, workload, optimizer.clock().instant()).run(c);
      }
      if (!product.contains("postgres")) {
        return new AdvisorReport(
            optimizer.clock().instant(),
            "none",
            0,
            java.util.List.of(),
            java.util.List.of(),
            java.util.List.of(),
            java.util.List.of(
                "index advice is implemented for PostgreSQL and MariaDB/MySQL; this database is "
                    + c.getMetaData().getDatabaseProductName()));
      }
      c.setAutoCommit(true);
      return new Analysis(settings, workload, optimizer.clock().instant()).run(c);
    }
  }

  /** Adds each recommendation to the optimizer's {@link dev.optimizer.api.Report}. */
  public void publish(AdvisorReport report) {
    for (IndexRecommendation r : report.recommendations()) {
      Recommendation.Builder b =
          Recommendation.builder("index", r.indexName())
              .summary(
                  "Create an index on "
                      + r.table()
                      + " ("
                      + String.join(", ", r.keyColumns())
                      + "): "
                      + r.statements().size()
                      + " statements gain")
              .action(r.ddl())
              .estimatedGain(Math.max(0, Math.min(1, r.estimatedGain())))
              .evidence("method", report.method())
              .evidence("estimatedBytes", Long.toString(r.estimatedBytes()))
              .time(report.generatedAt());
      for (StatementGain g : r.statements()) {
        b.evidence(
            "statement " + Long.toHexString(g.fingerprintId()),
            String.format(
                Locale.ROOT, "%s (cost %.1f -> %.1f)", g.text(), g.costBefore(), g.costAfter()));
      }
      optimizer.recommend(b.build());
    }
  }

  /**
   * Applies the recommendations as judged trials: each index is built with {@code CREATE INDEX
   * CONCURRENTLY} under the lock timeout, the statements it should speed up are timed before and
   * after, and the index is dropped again unless the runtime's judge finds a real gain. Only one
   * instance applies at a time (an advisory lock); a failed build leaves no INVALID index.
   *
   * @throws IllegalStateException unless {@link AdvisorSettings.Builder#allowApply} was set
   * @throws SQLException when the database cannot be reached
   */
  public ApplyReport apply(AdvisorReport report) throws SQLException {
    Checks.notNull("report", report);
    if (!settings.allowApply) {
      throw new IllegalStateException(
          "applying indexes is off: set AdvisorSettings.builder().allowApply(true) to allow it");
    }
    try (Connection c = dataSource.getConnection()) {
      String product = c.getMetaData().getDatabaseProductName();
      if (!product.toLowerCase(Locale.ROOT).contains("postgres")) {
        throw new UnsupportedOperationException(
            "applying indexes is implemented for PostgreSQL only; this database is " + product);
      }
    }
    return new Applier(settings, dataSource, sampler, optimizer.ticker()).apply(report);
  }
}
