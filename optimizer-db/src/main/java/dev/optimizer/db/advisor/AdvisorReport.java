package dev.optimizer.db.advisor;

import dev.optimizer.api.internal.JsonWriter;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * What one analysis found: the recommended indexes with their evidence, existing indexes that are
 * unused, duplicate or invalid, statements that scan whole tables, and notes on what was skipped
 * and why. Rendered as JSON and Markdown; the recommendations also reach the optimizer's report
 * through {@link IndexAdvisor#publish(AdvisorReport)}.
 *
 * @param generatedAt when the analysis ran
 * @param method how candidates were evaluated: {@code hypopg}, {@code sandbox} or {@code none}
 * @param statementsAnalyzed workload statements whose plans were read
 * @param recommendations recommended indexes, the most beneficial first
 * @param existingIndexes findings on existing indexes
 * @param fullScans statements that read a whole table of at least {@code minTableRows} rows
 * @param notes what was skipped and why
 */
public record AdvisorReport(
    Instant generatedAt,
    String method,
    int statementsAnalyzed,
    List<IndexRecommendation> recommendations,
    List<ExistingIndexFinding> existingIndexes,
    List<FullScan> fullScans,
    List<String> notes) {
  /** Copies the lists. */
  public AdvisorReport {
    recommendations = List.copyOf(recommendations);
    existingIndexes = List.copyOf(existingIndexes);
    fullScans = List.copyOf(fullScans);
    notes = List.copyOf(notes);
  }

  /** The report as JSON. */
  public String toJson() {
    JsonWriter w = new JsonWriter().beginObject();
    w.name("generatedAt").value(generatedAt.toString());
    w.name("method").value(method);
    w.name("statementsAnalyzed").value(statementsAnalyzed);
    w.name("recommendations").beginArray();
    for (IndexRecommendation r : recommendations) {
      w.beginObject();
      w.name("index").value(r.indexName());
      w.name("table").value(r.schema() + "." + r.table());
      w.name("keyColumns").beginArray();
      r.keyColumns().forEach(w::value);
      w.endArray();
      w.name("includeColumns").beginArray();
      r.includeColumns().forEach(w::value);
      w.endArray();
      w.name("ddl").value(r.ddl());
      w.name("estimatedBytes").value(r.estimatedBytes());
      w.name("estimatedGain").value(r.estimatedGain());
      w.name("statements").beginArray();
      for (StatementGain g : r.statements()) {
        w.beginObject();
        w.name("fingerprint").value(Long.toHexString(g.fingerprintId()));
        w.name("text").value(g.text());
        w.name("costBefore").value(g.costBefore());
        w.name("costAfter").value(g.costAfter());
        w.name("planBefore").value(g.planBefore());
        w.name("planAfter").value(g.planAfter());
        w.endObject();
      }
      w.endArray();
      w.endObject();
    }
    w.endArray();
    w.name("existingIndexes").beginArray();
    for (ExistingIndexFinding f : existingIndexes) {
      w.beginObject();
      w.name("kind").value(f.kind());
      w.name("index").value(f.schema() + "." + f.name());
      w.name("table").value(f.table());
      w.name("keyColumns").beginArray();
      f.keyColumns().forEach(w::value);
      w.endArray();
      w.name("bytes").value(f.bytes());
      w.name("scans").value(f.scans());
      w.name("reason").value(f.reason());
      w.endObject();
    }
    w.endArray();
    w.name("fullScans").beginArray();
    for (FullScan s : fullScans) {
      w.beginObject();
      w.name("fingerprint").value(Long.toHexString(s.fingerprintId()));
      w.name("text").value(s.text());
      w.name("table").value(s.table());
      w.name("rows").value(s.rows());
      w.endObject();
    }
    w.endArray();
    w.name("notes").beginArray();
    notes.forEach(w::value);
    w.endArray();
    return w.endObject().toString();
  }

  /** The report as Markdown, for people. */
  public String toMarkdown() {
    StringBuilder b = new StringBuilder();
    b.append("# Index advisor\n\n");
    b.append(
        String.format(
            Locale.ROOT,
            "%s — %d statements analyzed, evaluation: %s\n\n",
            generatedAt,
            statementsAnalyzed,
            method));
    b.append("## Recommended indexes\n\n");
    if (recommendations.isEmpty()) {
      b.append("None.\n\n");
    }
    for (IndexRecommendation r : recommendations) {
      b.append("### ").append(r.indexName()).append("\n\n");
      b.append("```sql\n").append(r.ddl()).append(";\n```\n\n");
      b.append(
          String.format(
              Locale.ROOT,
              "Estimated size %,d bytes; estimated gain %.0f%% of the gaining statements' time.\n\n",
              r.estimatedBytes(),
              100 * r.estimatedGain()));
      b.append("| fingerprint | statement | cost before | cost after |\n|---|---|---:|---:|\n");
      for (StatementGain g : r.statements()) {
        b.append(
            String.format(
                Locale.ROOT,
                "| %s | `%s` | %.1f | %.1f |\n",
                Long.toHexString(g.fingerprintId()),
                g.text().replace("|", "\\|").replace("`", "'"),
                g.costBefore(),
                g.costAfter()));
      }
      if (!r.statements().isEmpty()) {
        StatementGain first = r.statements().get(0);
        b.append("\nPlan before:\n\n```\n").append(first.planBefore()).append("\n```\n");
        b.append("\nPlan after:\n\n```\n").append(first.planAfter()).append("\n```\n");
      }
      b.append('\n');
    }
    b.append("## Existing indexes\n\n");
    if (existingIndexes.isEmpty()) {
      b.append("Nothing to report.\n\n");
    } else {
      b.append("| kind | index | table | columns | bytes | scans | why |\n");
      b.append("|---|---|---|---|---:|---:|---|\n");
      for (ExistingIndexFinding f : existingIndexes) {
        b.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %s | %s | %,d | %d | %s |\n",
                f.kind(),
                f.name(),
                f.table(),
                String.join(", ", f.keyColumns()),
                f.bytes(),
                f.scans(),
                f.reason()));
      }
      b.append('\n');
    }
    if (!fullScans.isEmpty()) {
      b.append("## Full table scans\n\n| fingerprint | table | rows | statement |\n");
      b.append("|---|---|---:|---|\n");
      for (FullScan s : fullScans) {
        b.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %,.0f | `%s` |\n",
                Long.toHexString(s.fingerprintId()),
                s.table(),
                s.rows(),
                s.text().replace("|", "\\|").replace("`", "'")));
      }
      b.append('\n');
    }
    if (!notes.isEmpty()) {
      b.append("## Notes\n\n");
      notes.forEach(n -> b.append("- ").append(n).append('\n'));
    }
    return b.toString();
  }
}
