package dev.optimizer.db.advisor;

import dev.optimizer.db.advisor.internal.Candidate;
import dev.optimizer.db.advisor.internal.CandidateGenerator;
import dev.optimizer.db.advisor.internal.Evaluation;
import dev.optimizer.db.advisor.internal.Evaluator;
import dev.optimizer.db.advisor.internal.ExecutionSample;
import dev.optimizer.db.advisor.internal.ExistingIndex;
import dev.optimizer.db.advisor.internal.Explainer;
import dev.optimizer.db.advisor.internal.HypoPgEvaluator;
import dev.optimizer.db.advisor.internal.Identifiers;
import dev.optimizer.db.advisor.internal.PgCatalog;
import dev.optimizer.db.advisor.internal.Plan;
import dev.optimizer.db.advisor.internal.Probe;
import dev.optimizer.db.advisor.internal.QueryAnalyzer;
import dev.optimizer.db.advisor.internal.QueryShape;
import dev.optimizer.db.advisor.internal.SandboxEvaluator;
import dev.optimizer.db.advisor.internal.Selection;
import dev.optimizer.db.advisor.internal.TableInfo;
import dev.optimizer.db.advisor.internal.TableUse;
import dev.optimizer.db.advisor.internal.Workload;
import dev.optimizer.db.advisor.internal.WorkloadStatement;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One analysis on PostgreSQL: workload, shapes, base plans, candidates, evaluation, selection, and
 * the findings on existing indexes. Runs on one connection of its own; every statement it runs is
 * read-only (catalog queries, EXPLAIN without ANALYZE) except ANALYZE of tables that have no
 * statistics and the sandbox's rolled-back builds, all under {@code lock_timeout}.
 */
final class Analysis {
  private final AdvisorSettings settings;
  private final Workload workload;
  private final Instant now;
  private final List<String> notes = new ArrayList<>();

  Analysis(AdvisorSettings settings, Workload workload, Instant now) {
    this.settings = settings;
    this.workload = workload;
    this.now = now;
  }

  AdvisorReport run(Connection c) throws SQLException {
    PgCatalog catalog = new PgCatalog(c);
    try (Statement s = c.createStatement()) {
      s.execute("SET lock_timeout = " + settings.lockTimeout.toMillis());
      s.execute("SET statement_timeout = " + settings.statementTimeout.toMillis());
    }
    try {
      return analyze(c, catalog);
    } finally {
      try (Statement s = c.createStatement()) {
        s.execute("RESET lock_timeout");
        s.execute("RESET statement_timeout");
      }
    }
  }

  private AdvisorReport analyze(Connection c, PgCatalog catalog) throws SQLException {
    List<WorkloadStatement> statements = mergePgStatStatements(c, catalog);
    QueryAnalyzer analyzer = new QueryAnalyzer(65536, catalog::columnsOf);
    Set<String> analyzed = new LinkedHashSet<>();
    List<Probe> probes = new ArrayList<>();
    ProbeTables tables = new ProbeTables();
    for (WorkloadStatement w : statements) {
      if (w.samples().isEmpty()) {
        continue;
      }
      ExecutionSample sample = w.samples().get(0);
      QueryShape shape;
      try {
        shape = analyzer.analyze(sample.sql());
      } catch (QueryAnalyzer.Unparseable e) {
        notes.add("skipped " + hex(w) + " (" + w.text() + "): " + e.getMessage());
        continue;
      }
      for (TableUse u : shape.tables()) {
        Optional<TableInfo> t = catalog.table(u.schema(), u.table());
        if (t.isPresent() && t.get().stats().isEmpty() && t.get().rows() != 0) {
          if (analyzed.add(t.get().qualified())) {
            analyzeTable(c, catalog, t.get());
            t = catalog.table(u.schema(), u.table());
          }
        }
        t.ifPresent(info -> tables.put(u, info));
      }
      Plan base;
      try {
        base = Explainer.explain(c, sample);
      } catch (SQLException e) {
        notes.add("skipped " + hex(w) + ": EXPLAIN failed (SQLState " + e.getSQLState() + ")");
        continue;
      }
      probes.add(new Probe(w, sample, shape, base));
    }

    List<FullScan> fullScans = fullScans(probes, tables, settings.minTableRows);

    CandidateGenerator generator =
        new CandidateGenerator(settings.minDistinctValues, settings.maxValueFrequency, 3, 3);
    Map<String, Long> writeNanos = new HashMap<>();
    Set<Candidate> candidates =
        candidates(probes, tables, generator, settings.minTableRows, true, writeNanos);

    String method = "none";
    List<IndexRecommendation> recommendations = new ArrayList<>();
    Evaluator evaluator = null;
    SandboxEvaluator sandbox = null;
    if (catalog.hasExtension("hypopg")) {
      evaluator = new HypoPgEvaluator(c);
    } else if (settings.allowSandbox) {
      sandbox =
          // The build holds a lock that makes the table's writers wait: no longer than
          // lock_timeout.
          new SandboxEvaluator(
              c,
              settings.sandboxMaxTableBytes,
              settings.lockTimeout,
              settings.lockTimeout.compareTo(settings.statementTimeout) < 0
                  ? settings.lockTimeout
                  : settings.statementTimeout);
      evaluator = sandbox;
    } else if (!candidates.isEmpty()) {
      notes.add(
          candidates.size()
              + " candidate indexes not evaluated: HypoPG is not installed (CREATE EXTENSION"
              + " hypopg) and the sandbox is not allowed (AdvisorSettings.allowSandbox)");
    }
    if (evaluator != null) {
      method = evaluator.method();
      List<Evaluation> evaluations = new ArrayList<>();
      for (Candidate cand : candidates) {
        if (sandbox != null && !sandbox.allows(tables.of(cand))) {
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
          evaluations.add(evaluator.evaluate(cand, touching));
        } catch (SQLException e) {
          notes.add(
              "candidate " + cand.ddl(false) + " not evaluated (SQLState " + e.getSQLState() + ")");
        }
      }
      recommendations.addAll(select(settings, evaluations, writeNanos, cand -> cand.ddl(true)));
    }
    return new AdvisorReport(
        now, method, probes.size(), recommendations, existing(catalog), fullScans, notes);
  }

  /** Statements whose plan reads a table of at least {@code minRows} rows in full. */
  static List<FullScan> fullScans(List<Probe> probes, ProbeTables tables, double minRows) {
    List<FullScan> fullScans = new ArrayList<>();
    for (Probe p : probes) {
      for (String table : p.base().seqScans()) {
        TableInfo t = tables.scanned(p, table);
        if (t != null && t.rows() >= minRows) {
          fullScans.add(
              new FullScan(p.statement().fingerprintId(), p.statement().text(), table, t.rows()));
        }
      }
    }
    return fullScans;
  }

  /**
   * The candidate indexes over the probes' tables (none on tables under {@code minRows} or for
   * INSERTs; INCLUDE variants only where {@code include} and the statement only reads), adding each
   * table's write time to {@code writeNanos} (by {@link TableInfo#qualified()}).
   */
  static Set<Candidate> candidates(
      List<Probe> probes,
      ProbeTables tables,
      CandidateGenerator generator,
      double minRows,
      boolean include,
      Map<String, Long> writeNanos) {
    Set<Candidate> candidates = new LinkedHashSet<>();
    for (Probe p : probes) {
      for (TableUse u : p.shape().tables()) {
        TableInfo t = tables.of(u);
        if (t == null) {
          continue;
        }
        if (p.shape().writes()) {
          writeNanos.merge(t.qualified(), p.statement().totalNanos(), Long::sum);
        }
        if (t.rows() < minRows || p.shape().operation().equals("INSERT")) {
          continue;
        }
        candidates.addAll(generator.candidates(u, t, include && !p.shape().writes()));
      }
    }
    return candidates;
  }

  /** The workload-level choice among the evaluations, as recommendations with their DDL. */
  static List<IndexRecommendation> select(
      AdvisorSettings settings,
      List<Evaluation> evaluations,
      Map<String, Long> writeNanos,
      java.util.function.Function<Candidate, String> ddl) {
    Selection selection =
        new Selection(
            settings.minGain, settings.maxIndexes, settings.maxIndexBytes, settings.writeOverhead);
    List<IndexRecommendation> out = new ArrayList<>();
    for (Selection.Chosen chosen : selection.choose(evaluations, writeNanos)) {
      out.add(recommendation(chosen, ddl));
    }
    return out;
  }

  static IndexRecommendation recommendation(
      Selection.Chosen chosen, java.util.function.Function<Candidate, String> ddl) {
    Candidate cand = chosen.evaluation().candidate();
    List<StatementGain> gains = new ArrayList<>();
    double weighted = 0;
    double total = 0;
    for (Selection.Gain g : chosen.gains()) {
      WorkloadStatement w = g.probe().statement();
      gains.add(
          new StatementGain(
              w.fingerprintId(),
              w.text(),
              g.costBefore(),
              g.costAfter(),
              g.probe().base().excerpt(),
              g.planAfter().excerpt()));
      weighted += w.totalNanos() * g.relative();
      total += w.totalNanos();
    }
    return new IndexRecommendation(
        cand.indexName(),
        cand.schema(),
        cand.table(),
        cand.key(),
        cand.include(),
        ddl.apply(cand),
        chosen.evaluation().bytes(),
        total > 0 ? weighted / total : 0,
        gains);
  }

  /** Statistics are what tells a selective column from a flag; gather them where missing. */
  private void analyzeTable(Connection c, PgCatalog catalog, TableInfo t) {
    try (Statement s = c.createStatement()) {
      s.execute("ANALYZE " + t.qualified());
      catalog.refresh();
      notes.add("ran ANALYZE on " + t.qualified() + " (it had no statistics)");
    } catch (SQLException e) {
      notes.add("could not ANALYZE " + t.qualified() + " (SQLState " + e.getSQLState() + ")");
    }
  }

  /** Weights from pg_stat_statements where the extension is there (other clients' time too). */
  private List<WorkloadStatement> mergePgStatStatements(Connection c, PgCatalog catalog)
      throws SQLException {
    List<WorkloadStatement> ours = workload.statements(settings.maxStatements);
    if (!catalog.hasExtension("pg_stat_statements")) {
      return ours;
    }
    Map<Long, Double> serverNanos = new HashMap<>();
    Map<Long, String> texts = new LinkedHashMap<>(); // heaviest first
    List<String> unmatched = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT query, total_exec_time FROM pg_stat_statements WHERE dbid = (SELECT oid"
                    + " FROM pg_database WHERE datname = current_database()) ORDER BY"
                    + " total_exec_time DESC LIMIT "
                    + settings.maxStatements * 4)) {
      while (rs.next()) {
        String text = rs.getString(1);
        long id = workload.fingerprint(text);
        serverNanos.merge(id, rs.getDouble(2) * 1e6, Double::sum);
        texts.putIfAbsent(id, text);
      }
    } catch (SQLException e) {
      notes.add("pg_stat_statements not readable (SQLState " + e.getSQLState() + ")");
      return ours;
    }
    List<WorkloadStatement> merged = new ArrayList<>();
    Set<Long> known = new LinkedHashSet<>();
    for (WorkloadStatement w : ours) {
      known.add(w.fingerprintId());
      double server = serverNanos.getOrDefault(w.fingerprintId(), 0.0);
      merged.add(
          server > w.totalNanos()
              ? new WorkloadStatement(
                  w.fingerprintId(), w.text(), w.calls(), (long) server, w.samples())
              : w);
    }
    for (Map.Entry<Long, String> e : texts.entrySet()) {
      String t = e.getValue().stripLeading().toLowerCase(java.util.Locale.ROOT);
      boolean dml = t.startsWith("select") || t.startsWith("update") || t.startsWith("delete");
      // The advisor's own catalog queries and utility statements are not the application's.
      if (!known.contains(e.getKey()) && dml && !t.contains("pg_")) {
        unmatched.add(e.getValue()); // pg_stat_statements texts carry $n, never values
      }
    }
    if (!unmatched.isEmpty()) {
      notes.add(
          unmatched.size()
              + " statements seen only in pg_stat_statements (no sampled values here, not"
              + " evaluated), heaviest first: "
              + String.join(" | ", unmatched.subList(0, Math.min(5, unmatched.size()))));
    }
    merged.sort((a, b) -> Long.compare(b.totalNanos(), a.totalNanos()));
    return merged;
  }

  private static List<ExistingIndexFinding> existing(PgCatalog catalog) throws SQLException {
    List<ExistingIndex> all = catalog.userIndexes();
    List<ExistingIndexFinding> out = new ArrayList<>();
    for (ExistingIndex i : all) {
      if (!i.valid()) {
        out.add(finding("invalid", i, "left by an interrupted concurrent build; drop it"));
        continue;
      }
      if (i.unique() || i.primary()) {
        continue; // they enforce a constraint, used or not
      }
      for (ExistingIndex o : all) {
        if (o != i
            && o.table().equals(i.table())
            && o.schema().equals(i.schema())
            && i.plain()
            && o.startsWith(i.keyColumns())
            && (o.keyColumns().size() > i.keyColumns().size()
                || o.name().compareTo(i.name()) < 0)) {
          out.add(
              finding(
                  "duplicate",
                  i,
                  "its key is a prefix of " + Identifiers.quote(o.name()) + "'s, which serves it"));
          break;
        }
      }
      if (i.scans() == 0) {
        out.add(finding("unused", i, "no index scans since statistics were last reset"));
      }
    }
    return out;
  }

  private static ExistingIndexFinding finding(String kind, ExistingIndex i, String reason) {
    return new ExistingIndexFinding(
        kind, i.schema(), i.table(), i.name(), i.keyColumns(), i.bytes(), i.scans(), reason);
  }

  private static String hex(WorkloadStatement w) {
    return Long.toHexString(w.fingerprintId());
  }
}
