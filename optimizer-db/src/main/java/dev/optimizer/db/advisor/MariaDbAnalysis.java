package dev.optimizer.db.advisor;

import dev.optimizer.db.advisor.internal.Candidate;
import dev.optimizer.db.advisor.internal.CandidateGenerator;
import dev.optimizer.db.advisor.internal.Evaluation;
import dev.optimizer.db.advisor.internal.ExecutionSample;
import dev.optimizer.db.advisor.internal.Explainer;
import dev.optimizer.db.advisor.internal.MariaDbCatalog;
import dev.optimizer.db.advisor.internal.MariaDbSandboxEvaluator;
import dev.optimizer.db.advisor.internal.Probe;
import dev.optimizer.db.advisor.internal.QueryAnalyzer;
import dev.optimizer.db.advisor.internal.QueryShape;
import dev.optimizer.db.advisor.internal.TableInfo;
import dev.optimizer.db.advisor.internal.TableUse;
import dev.optimizer.db.advisor.internal.Workload;
import dev.optimizer.db.advisor.internal.WorkloadStatement;
import dev.optimizer.db.internal.sql.SqlDialect;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One analysis on MariaDB/MySQL: the same workload, shapes, candidates and selection as on
 * PostgreSQL, with plans from {@code EXPLAIN FORMAT=JSON}. There are no hypothetical indexes there,
 * so candidates are evaluated only on the sandbox path (added, EXPLAINed, dropped) and only when
 * allowed; no INCLUDE columns. Unused indexes come from {@code sys.schema_unused_indexes} where
 * performance_schema is on.
 */
final class MariaDbAnalysis {
  private final AdvisorSettings settings;
  private final Workload workload;
  private final Instant now;
  private final List<String> notes = new ArrayList<>();

  MariaDbAnalysis(AdvisorSettings settings, Workload workload, Instant now) {
    this.settings = settings;
    this.workload = workload;
    this.now = now;
  }

  AdvisorReport run(Connection c) throws SQLException {
    MariaDbCatalog catalog = new MariaDbCatalog(c);
    // Column names match whatever their case there: candidates use the catalog's spelling.
    QueryAnalyzer analyzer = new QueryAnalyzer(65536, catalog::columnsOf, SqlDialect.MYSQL);
    List<Probe> probes = new ArrayList<>();
    ProbeTables tables = new ProbeTables();
    for (WorkloadStatement w : workload.statements(settings.maxStatements)) {
      if (w.samples().isEmpty()) {
        continue;
      }
      ExecutionSample sample = w.samples().get(0);
      QueryShape shape;
      try {
        shape = analyzer.analyze(sample.sql());
      } catch (QueryAnalyzer.Unparseable e) {
        notes.add(
            "skipped "
                + Long.toHexString(w.fingerprintId())
                + " ("
                + w.text()
                + "): "
                + e.getMessage());
        continue;
      }
      for (TableUse u : shape.tables()) {
        Optional<TableInfo> t = catalog.table(u.schema(), u.table());
        t.ifPresent(info -> tables.put(u, info));
      }
      try {
        probes.add(new Probe(w, sample, shape, Explainer.explainMariaDb(c, sample)));
      } catch (SQLException e) {
        notes.add(
            "skipped "
                + Long.toHexString(w.fingerprintId())
                + ": EXPLAIN failed (SQLState "
                + e.getSQLState()
                + ")");
      }
    }
    List<FullScan> fullScans = Analysis.fullScans(probes, tables, settings.minTableRows);
    CandidateGenerator generator =
        new CandidateGenerator(settings.minDistinctValues, settings.maxValueFrequency, 3, 0);
    Map<String, Long> writeNanos = new HashMap<>();
    Set<Candidate> candidates =
        Analysis.candidates(probes, tables, generator, settings.minTableRows, false, writeNanos);
    String method = "none";
    List<IndexRecommendation> recommendations = new ArrayList<>();
    if (!settings.allowSandbox) {
      if (!candidates.isEmpty()) {
        notes.add(
            candidates.size()
                + " candidate indexes not evaluated: MariaDB/MySQL have no hypothetical indexes"
                + " and the sandbox is not allowed (AdvisorSettings.allowSandbox)");
      }
    } else {
      method = "sandbox";
      MariaDbSandboxEvaluator sandbox =
          // The build holds a lock that makes the table's writers wait: no longer than
          // lock_timeout.
          new MariaDbSandboxEvaluator(
              c,
              settings.sandboxMaxTableBytes,
              settings.lockTimeout,
              settings.lockTimeout.compareTo(settings.statementTimeout) < 0
                  ? settings.lockTimeout
                  : settings.statementTimeout);
      List<Evaluation> evaluations = new ArrayList<>();
      for (Candidate cand : candidates) {
        if (!sandbox.allows(tables.of(cand))) {
          notes.add(
              "not evaluated on "
                  + cand.table()
                  + ": larger than sandboxMaxTableBytes ("
                  + settings.sandboxMaxTableBytes
                  + ")");
          continue;
        }
        List<Probe> touching = probes.stream().filter(p -> tables.touches(p, cand)).toList();
        try {
          evaluations.add(sandbox.evaluate(cand, touching));
        } catch (SQLException e) {
          notes.add(
              "candidate "
                  + cand.mysqlDdl(false)
                  + " not evaluated (SQLState "
                  + e.getSQLState()
                  + ")");
        }
      }
      recommendations.addAll(
          Analysis.select(settings, evaluations, writeNanos, cand -> cand.mysqlDdl(true)));
    }
    return new AdvisorReport(
        now, method, probes.size(), recommendations, unused(c), fullScans, notes);
  }

  private List<ExistingIndexFinding> unused(Connection c) {
    List<ExistingIndexFinding> out = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT object_schema, object_name, index_name FROM sys.schema_unused_indexes"
                    + " WHERE object_schema = DATABASE()")) {
      while (rs.next()) {
        out.add(
            new ExistingIndexFinding(
                "unused",
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                List.of(),
                -1,
                0,
                "no reads since the server started (performance_schema)"));
      }
    } catch (SQLException e) {
      notes.add(
          "unused indexes unknown: sys.schema_unused_indexes is not readable (performance_schema"
              + " off or the sys schema absent)");
    }
    return out;
  }
}
