package dev.optimizer.db.advisor;

import dev.optimizer.api.internal.Checks;
import dev.optimizer.db.DbOptimizer;
import dev.optimizer.db.NPlusOne;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * A check for the user's own test suite, run after the test's workload: no statement reads a large
 * table without an index, no N+1 loop, no index recommendation above a gain. It fails with an
 * {@link AssertionError} that lists each problem with the statement's fingerprint and text and,
 * where the advisor has one, the DDL that fixes it.
 *
 * <pre>{@code
 * DbOptimizer db = DbOptimizer.builder(optimizer).indexAdvisor(true).build();
 * DataSource ds = db.wrap(testDataSource);
 * ... exercise the application ...
 * IndexCheck.of(db, ds).maxRowsScannedWithoutIndex(10_000).noNPlusOne().maxGain(0.5).verify();
 * }</pre>
 *
 * <p>By default it allows the advisor's sandbox evaluation (test databases are small and
 * disposable); {@link #settings(AdvisorSettings)} replaces that.
 */
public final class IndexCheck {
  private final DbOptimizer db;
  private final DataSource dataSource;
  private AdvisorSettings settings = AdvisorSettings.builder().allowSandbox(true).build();
  private double maxRows = Double.POSITIVE_INFINITY;
  private boolean noNPlusOne;
  private double maxGain = Double.POSITIVE_INFINITY;

  private IndexCheck(DbOptimizer db, DataSource dataSource) {
    this.db = db;
    this.dataSource = dataSource;
  }

  /** A check of what {@code db}'s wrapped data sources ran, analyzed on {@code dataSource}. */
  public static IndexCheck of(DbOptimizer db, DataSource dataSource) {
    return new IndexCheck(Checks.notNull("db", db), Checks.notNull("dataSource", dataSource));
  }

  /** Fails when a statement reads a table of more than {@code rows} rows by a sequential scan. */
  public IndexCheck maxRowsScannedWithoutIndex(long rows) {
    this.maxRows = Checks.inRange("maxRowsScannedWithoutIndex", rows, 0, Long.MAX_VALUE);
    return this;
  }

  /** Fails when an N+1 loop was seen. */
  public IndexCheck noNPlusOne() {
    this.noNPlusOne = true;
    return this;
  }

  /** Fails when an index is recommended with an estimated gain above {@code gain} (0..1). */
  public IndexCheck maxGain(double gain) {
    this.maxGain = Checks.inRange("maxGain", gain, 0, 1);
    return this;
  }

  /** The advisor's settings for the check. */
  public IndexCheck settings(AdvisorSettings settings) {
    this.settings = Checks.notNull("settings", settings);
    return this;
  }

  /** The problems found, one readable line each; empty when the check passes. */
  public List<String> problems() throws SQLException {
    List<String> out = new ArrayList<>();
    if (noNPlusOne) {
      for (NPlusOne n : db.insight().nPlusOnes()) {
        out.add(
            String.format(
                Locale.ROOT,
                "N+1: statement %s ran %d+ times with different values in one connection lease"
                    + " at %s: %s",
                Long.toHexString(n.fingerprintId()),
                n.executions(),
                n.callSite().orElse("unknown call site"),
                n.text()));
      }
    }
    if (maxRows == Double.POSITIVE_INFINITY && maxGain == Double.POSITIVE_INFINITY) {
      return out;
    }
    AdvisorReport report = db.indexAdvisor(dataSource, settings).analyze();
    for (FullScan s : report.fullScans()) {
      if (s.rows() > maxRows) {
        out.add(
            String.format(
                Locale.ROOT,
                "full scan: statement %s reads all of %s (~%,.0f rows) without an index: %s%s",
                Long.toHexString(s.fingerprintId()),
                s.table(),
                s.rows(),
                s.text(),
                fix(report, s.fingerprintId())));
      }
    }
    for (IndexRecommendation r : report.recommendations()) {
      if (r.estimatedGain() > maxGain) {
        List<String> ids = new ArrayList<>();
        r.statements().forEach(g -> ids.add(Long.toHexString(g.fingerprintId())));
        out.add(
            String.format(
                Locale.ROOT,
                "missing index: statements %s would gain about %.0f%% from: %s",
                String.join(", ", ids),
                100 * r.estimatedGain(),
                r.ddl()));
      }
    }
    return out;
  }

  /**
   * Runs the check.
   *
   * @throws AssertionError listing every problem, when there is one
   */
  public void verify() throws SQLException {
    List<String> problems = problems();
    if (problems.isEmpty()) {
      return;
    }
    StringBuilder b =
        new StringBuilder("index check failed: ").append(problems.size()).append(" problem(s)\n");
    for (int i = 0; i < problems.size(); i++) {
      b.append("  ").append(i + 1).append(". ").append(problems.get(i)).append('\n');
    }
    throw new AssertionError(b.toString().stripTrailing());
  }

  private static String fix(AdvisorReport report, long fingerprintId) {
    for (IndexRecommendation r : report.recommendations()) {
      for (StatementGain g : r.statements()) {
        if (g.fingerprintId() == fingerprintId) {
          return "\n       fix: " + r.ddl();
        }
      }
    }
    return "";
  }
}
