package dev.optimizer.db.advisor;

import dev.optimizer.api.Objective;
import dev.optimizer.api.Ticker;
import dev.optimizer.api.Verdict;
import dev.optimizer.api.Window;
import dev.optimizer.db.advisor.internal.ExecutionSample;
import dev.optimizer.db.advisor.internal.Explainer;
import dev.optimizer.db.advisor.internal.Identifiers;
import dev.optimizer.db.advisor.internal.WorkloadSampler;
import dev.optimizer.runtime.judge.Judge;
import dev.optimizer.runtime.judge.JudgeSettings;
import dev.optimizer.runtime.judge.Judgement;
import dev.optimizer.runtime.signal.HistogramDistribution;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.HdrHistogram.Histogram;

/**
 * Applies recommendations as judged trials. Only one instance acts at a time (a session-level
 * advisory lock); an INVALID index of ours left by an earlier failed build is dropped first. For
 * each index: the gaining SELECTs are timed (read-only transactions, rolled back), the index is
 * built with {@code CREATE INDEX CONCURRENTLY} under {@code lock_timeout}, the statements are timed
 * again, and the runtime's judge compares the two arms (Mann–Whitney U with an effect floor). No
 * significant gain — or a regression — drops the index again with {@code DROP INDEX CONCURRENTLY}.
 * A failed build leaves an INVALID index behind in PostgreSQL; it is dropped at once.
 */
final class Applier {
  /** The advisory lock key: "optimizer-index-advisor" hashed once, fixed forever. */
  static final long LOCK_KEY = 0x6f70742d69647841L;

  private final AdvisorSettings settings;
  private final DataSource dataSource;
  private final WorkloadSampler sampler;
  private final Ticker ticker;
  // The arms are measured one after the other, not interleaved (the index exists only in the
  // second), so a change of load between them shows up as an effect: an index is kept only for a
  // gain no load swing on a shared machine makes (a 30% lower median; indexes worth keeping cut
  // their statements by far more, and Dexter asks 50% of the estimated cost).
  private final Judge judge =
      new Judge(JudgeSettings.builder().minSamplesPerArm(20).minEffect(0.3).build());

  Applier(AdvisorSettings settings, DataSource dataSource, WorkloadSampler sampler, Ticker ticker) {
    this.settings = settings;
    this.dataSource = dataSource;
    this.sampler = sampler;
    this.ticker = ticker;
  }

  ApplyReport apply(AdvisorReport report) throws SQLException {
    List<AppliedIndex> out = new ArrayList<>();
    List<String> dropped = new ArrayList<>();
    try (Connection ddl = dataSource.getConnection();
        Connection probe = dataSource.getConnection()) {
      ddl.setAutoCommit(true);
      if (!tryLock(ddl)) {
        for (IndexRecommendation r : report.recommendations()) {
          out.add(skipped(r, "another instance holds the index advisor's lock"));
        }
        return new ApplyReport(out, dropped);
      }
      try {
        for (Connection c : List.of(ddl, probe)) {
          set(c, "lock_timeout", settings.lockTimeout.toMillis());
          set(c, "statement_timeout", settings.statementTimeout.toMillis());
        }
        dropped.addAll(dropInvalid(ddl, "opt\\_%"));
        for (IndexRecommendation r : report.recommendations()) {
          out.add(applyOne(ddl, probe, r));
        }
      } finally {
        try (Statement s = ddl.createStatement()) {
          s.execute("SELECT pg_advisory_unlock(" + LOCK_KEY + ")");
          s.execute("RESET lock_timeout");
          s.execute("RESET statement_timeout");
        }
        try (Statement s = probe.createStatement()) {
          s.execute("RESET lock_timeout");
          s.execute("RESET statement_timeout");
        }
      }
    }
    return new ApplyReport(out, dropped);
  }

  private AppliedIndex applyOne(Connection ddl, Connection probe, IndexRecommendation r)
      throws SQLException {
    List<ExecutionSample> reads = new ArrayList<>();
    for (StatementGain g : r.statements()) {
      for (ExecutionSample s : sampler.samples(g.fingerprintId())) {
        if (isRead(s.sql())) {
          reads.add(s);
        }
      }
    }
    if (reads.isEmpty()) {
      return skipped(r, "no sampled read statement to measure the index with");
    }
    Histogram before;
    try {
      before = measure(probe, reads);
    } catch (SQLException e) {
      return new AppliedIndex(
          r,
          AppliedIndex.Outcome.FAILED,
          "could not measure the statements before (SQLState " + e.getSQLState() + ")",
          -1,
          -1);
    }
    try (Statement s = ddl.createStatement()) {
      s.execute(r.ddl());
    } catch (SQLException e) {
      List<String> left = dropInvalid(ddl, r.indexName());
      return new AppliedIndex(
          r,
          AppliedIndex.Outcome.FAILED,
          "CREATE INDEX CONCURRENTLY failed (SQLState "
              + e.getSQLState()
              + (left.isEmpty() ? "" : "; the INVALID index it left was dropped")
              + ")",
          before.getValueAtPercentile(50),
          -1);
    }
    Histogram after;
    try {
      after = measure(probe, reads);
    } catch (SQLException e) {
      drop(ddl, r);
      return new AppliedIndex(
          r,
          AppliedIndex.Outcome.REVERTED,
          "could not measure the statements with the index (SQLState "
              + e.getSQLState()
              + "); dropped again",
          before.getValueAtPercentile(50),
          -1);
    }
    boolean used = usedByAPlan(probe, reads, r.indexName());
    Judgement j = judge.judge(window(before), window(after), Objective.minimizeLatency(50));
    String evidence =
        String.format(
            Locale.ROOT,
            "%s: median %.3f ms -> %.3f ms over %d executions per arm",
            j.verdict(),
            before.getValueAtPercentile(50) / 1e6,
            after.getValueAtPercentile(50) / 1e6,
            after.getTotalCount());
    if (j.verdict() == Verdict.KEEP && used) {
      return new AppliedIndex(
          r,
          AppliedIndex.Outcome.KEPT,
          evidence,
          before.getValueAtPercentile(50),
          after.getValueAtPercentile(50));
    }
    try (Statement s = ddl.createStatement()) {
      s.execute(
          "DROP INDEX CONCURRENTLY IF EXISTS " + Identifiers.qualified(r.schema(), r.indexName()));
    }
    return new AppliedIndex(
        r,
        AppliedIndex.Outcome.REVERTED,
        used
            ? "no real gain measured, dropped again (" + evidence + ")"
            : "no real gain: no plan of the statements it should speed up uses it, dropped again ("
                + evidence
                + ")",
        before.getValueAtPercentile(50),
        after.getValueAtPercentile(50));
  }

  /**
   * Whether the planner now uses the index for one of the statements it should speed up. The two
   * timed arms run one after the other (the first one also warms the table), so a timing gain alone
   * can come from the machine or the cache; an index no plan uses has none of its own. An EXPLAIN
   * that fails leaves the decision to the timings.
   */
  private static boolean usedByAPlan(Connection c, List<ExecutionSample> reads, String indexName) {
    for (ExecutionSample s : reads) {
      try {
        if (Explainer.explain(c, s).indexesUsed().contains(indexName)) {
          return true;
        }
      } catch (SQLException e) {
        return true;
      }
    }
    return false;
  }

  /** Times the reads, interleaved, in read-only transactions that are rolled back. */
  private Histogram measure(Connection c, List<ExecutionSample> reads) throws SQLException {
    Histogram h = new Histogram(3_600_000_000_000L, 2);
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    c.setReadOnly(true);
    try {
      for (ExecutionSample s : reads) {
        run(c, s); // warm the cache and the plan, not counted
      }
      int perStatement = Math.max(settings.validationRuns, (20 + reads.size() - 1) / reads.size());
      for (int i = 0; i < perStatement; i++) {
        for (ExecutionSample s : reads) {
          long t0 = ticker.read();
          run(c, s);
          h.recordValue(Math.max(1, Math.min(ticker.read() - t0, 3_600_000_000_000L)));
        }
      }
    } finally {
      c.rollback();
      c.setReadOnly(false);
      c.setAutoCommit(auto);
    }
    return h;
  }

  private static void run(Connection c, ExecutionSample s) throws SQLException {
    if (s.prepared()) {
      try (PreparedStatement ps = c.prepareStatement(s.sql())) {
        Object[] v = s.parameters();
        for (int i = 0; i < v.length; i++) {
          if (v[i] == null) {
            ps.setNull(i + 1, Types.NULL);
          } else {
            ps.setObject(i + 1, v[i]);
          }
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            // read every row, as the application does
          }
        }
      }
    } else {
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery(s.sql())) {
        while (rs.next()) {
          // read every row
        }
      }
    }
  }

  private static Window window(Histogram h) {
    return new Window(
        0, 1, new HistogramDistribution(h), h.getTotalCount(), 0, new double[0], Map.of());
  }

  private static boolean tryLock(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_try_advisory_lock(" + LOCK_KEY + ")")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /**
   * Drops INVALID indexes whose name matches a LIKE pattern (ours only: {@code opt_}); returns
   * their names.
   */
  static List<String> dropInvalid(Connection c, String likePattern) throws SQLException {
    List<String[]> found = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT n.nspname, ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid ="
                + " i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace WHERE NOT"
                + " i.indisvalid AND ic.relname LIKE ?")) {
      ps.setString(1, likePattern);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          found.add(new String[] {rs.getString(1), rs.getString(2)});
        }
      }
    }
    List<String> names = new ArrayList<>();
    for (String[] f : found) {
      try (Statement s = c.createStatement()) {
        s.execute("DROP INDEX CONCURRENTLY IF EXISTS " + Identifiers.qualified(f[0], f[1]));
      }
      names.add(f[1]);
    }
    return names;
  }

  private static void drop(Connection ddl, IndexRecommendation r) throws SQLException {
    try (Statement s = ddl.createStatement()) {
      s.execute(
          "DROP INDEX CONCURRENTLY IF EXISTS " + Identifiers.qualified(r.schema(), r.indexName()));
    }
  }

  private static void set(Connection c, String name, long millis) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SET " + name + " = " + millis);
    }
  }

  private static boolean isRead(String sql) {
    String t = sql.stripLeading().toLowerCase(Locale.ROOT);
    return t.startsWith("select") || t.startsWith("with") && !t.contains(" update ");
  }

  private static AppliedIndex skipped(IndexRecommendation r, String why) {
    return new AppliedIndex(r, AppliedIndex.Outcome.SKIPPED, why, -1, -1);
  }
}
