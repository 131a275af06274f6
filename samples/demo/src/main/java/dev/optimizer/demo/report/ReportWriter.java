package dev.optimizer.demo.report;

import dev.optimizer.api.Recommendation;
import dev.optimizer.demo.load.Area;
import dev.optimizer.demo.load.PhaseResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the report directory: {@code index.html} (the table, the charts, the decisions and the
 * recommendations), the PNG charts, and {@code report.json} (the optimizer's own report plus the
 * comparison).
 */
public final class ReportWriter {
  private ReportWriter() {}

  /** Writes everything under {@code dir} (created if needed); returns the files written. */
  public static List<Path> write(
      Path dir, Comparison comparison, List<String> prometheusNames, double wallSeconds)
      throws IOException {
    Files.createDirectories(dir);
    PhaseResult off = comparison.off();
    PhaseResult on = comparison.on();
    List<String> charts = new ArrayList<>();
    for (Area area : Area.values()) {
      charts.add(Charts.latency(dir, area, off, on));
    }
    charts.add(Charts.knobs(dir, on));
    charts.add(Charts.hitRates(dir, on));
    Path html = dir.resolve("index.html");
    Files.writeString(
        html, html(comparison, charts, prometheusNames, wallSeconds), StandardCharsets.UTF_8);
    Path json = dir.resolve("report.json");
    Files.writeString(json, json(comparison, wallSeconds), StandardCharsets.UTF_8);
    List<Path> files = new ArrayList<>();
    files.add(html);
    files.add(json);
    charts.forEach(c -> files.add(dir.resolve(c)));
    return files;
  }

  private static String html(
      Comparison c, List<String> charts, List<String> prometheusNames, double wallSeconds) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>optimizer demo report</title><style>")
        .append("body{font-family:system-ui,sans-serif;margin:2em;max-width:1000px}")
        .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 10px}")
        .append("td.n{text-align:right}th{background:#f3f3f3}img{max-width:100%}")
        .append("</style></head><body>\n<h1>optimizer demo: OFF vs ON (AUTO)</h1>\n");
    h.append("<p>The same seeded traffic (open loop, Poisson arrivals) ran for ")
        .append(fmt(c.on().seconds()))
        .append(" s against the service with the optimizer off, then on. Latency is end to end at")
        .append(" the service's endpoints; calls are counted by the dependencies themselves.")
        .append(" Whole run: ")
        .append(fmt(wallSeconds))
        .append(" s.</p>\n<table><tr><th>Area</th><th>Metric</th><th>OFF</th><th>ON</th>")
        .append("<th>ON/OFF</th></tr>\n");
    for (Comparison.Row r : c.rows()) {
      h.append("<tr><td>")
          .append(r.area().label())
          .append("</td><td>")
          .append(esc(r.metric()))
          .append("</td><td class=n>")
          .append(r.metric().startsWith("tokens saved") ? "" : Comparison.number(r.off()))
          .append("</td><td class=n>")
          .append(Comparison.number(r.on()))
          .append("</td><td class=n>")
          .append(Double.isNaN(r.ratio()) ? "" : String.format(Locale.ROOT, "%.2f", r.ratio()))
          .append("</td></tr>\n");
    }
    h.append("</table>\n<ul>");
    for (Area a : Area.values()) {
      h.append("<li><b>")
          .append(a.label())
          .append("</b>: ")
          .append(esc(a.endpoints()))
          .append("</li>");
    }
    h.append("</ul>\n<h2>What the optimizer counted (ON)</h2>\n<ul>");
    for (Map.Entry<String, Long> f : c.on().facts().entrySet()) {
      h.append("<li>").append(esc(f.getKey())).append(": ").append(f.getValue()).append("</li>");
    }
    h.append("</ul>\n<h2>Charts</h2>\n");
    for (String chart : charts) {
      h.append("<p><img src=\"")
          .append(chart)
          .append("\" alt=\"")
          .append(chart)
          .append("\"></p>\n");
    }
    h.append("<h2>Decisions (ON)</h2>\n");
    if (c.on().decisions().isEmpty()) {
      h.append("<p>No trial was judged during this phase.</p>\n");
    } else {
      h.append("<ul>");
      for (PhaseResult.TimedDecision d : c.on().decisions()) {
        h.append("<li>")
            .append(fmt(d.second()))
            .append(" s: ")
            .append(esc(d.decision().summary()))
            .append("</li>");
      }
      h.append("</ul>\n");
    }
    h.append("<h2>Recommendations (ON)</h2>\n");
    if (c.on().recommendations().isEmpty()) {
      h.append("<p>None.</p>\n");
    } else {
      h.append("<ul>");
      for (Recommendation r : c.on().recommendations()) {
        h.append("<li><b>")
            .append(esc(r.kind()))
            .append("</b>: ")
            .append(esc(r.summary()))
            .append("<br><small>")
            .append(esc(r.evidence().toString()))
            .append("</small></li>");
      }
      h.append("</ul>\n");
    }
    h.append("<h2>OpenTelemetry metrics the service exported (Prometheus)</h2>\n<ul>");
    for (String n : prometheusNames) {
      h.append("<li><code>").append(esc(n)).append("</code></li>");
    }
    h.append("</ul>\n<p>The optimizer's own report: <a href=\"report.json\">report.json</a>.</p>")
        .append("\n</body></html>\n");
    return h.toString();
  }

  private static String json(Comparison c, double wallSeconds) {
    StringBuilder j = new StringBuilder("{\n  \"comparison\": {\n");
    j.append("    \"seconds\": ").append(num(c.on().seconds())).append(",\n");
    j.append("    \"wallSeconds\": ").append(num(wallSeconds)).append(",\n");
    j.append("    \"rows\": [\n");
    List<Comparison.Row> rows = c.rows();
    for (int i = 0; i < rows.size(); i++) {
      Comparison.Row r = rows.get(i);
      j.append("      {\"area\": \"")
          .append(r.area().label())
          .append("\", \"metric\": \"")
          .append(jsonEsc(r.metric()))
          .append("\", \"off\": ")
          .append(num(r.off()))
          .append(", \"on\": ")
          .append(num(r.on()))
          .append(", \"ratio\": ")
          .append(num(r.ratio()))
          .append(i + 1 < rows.size() ? "},\n" : "}\n");
    }
    j.append("    ],\n    \"optimizerCounted\": {");
    int i = 0;
    for (Map.Entry<String, Long> f : c.on().facts().entrySet()) {
      j.append(i++ == 0 ? "" : ", ")
          .append('"')
          .append(jsonEsc(f.getKey()))
          .append("\": ")
          .append(f.getValue());
    }
    j.append("}\n  },\n  \"optimizer\": ")
        .append(
            c.on().reportJson() == null
                ? "null"
                : c.on().reportJson().strip().replace("\n", "\n  "))
        .append("\n}\n");
    return j.toString();
  }

  private static String num(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.4f", v);
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  private static String jsonEsc(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
