package dev.optimizer.api.internal;

import dev.optimizer.api.ArmSummary;
import dev.optimizer.api.Decision;
import dev.optimizer.api.Finding;
import dev.optimizer.api.KnobSnapshot;
import dev.optimizer.api.Recommendation;
import dev.optimizer.api.Report;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Renders a {@link Report} as JSON and as Markdown. Not part of the public API. */
public final class ReportRendering {
  private ReportRendering() {}

  /** The report as JSON. */
  public static String json(Report r) {
    JsonWriter w = new JsonWriter().beginObject();
    w.name("generatedAt").value(r.generatedAt().toString());
    w.name("mode").value(r.mode().name());
    w.name("platform").beginObject();
    for (Map.Entry<String, String> e : new TreeMap<>(r.platform()).entrySet()) {
      w.name(e.getKey()).value(e.getValue());
    }
    w.endObject();
    w.name("knobs").beginArray();
    for (KnobSnapshot k : r.knobs()) {
      w.beginObject();
      w.name("name").value(k.name());
      w.name("description").value(k.description());
      w.name("type").value(k.type());
      w.name("value").value(k.value());
      w.name("min").value(k.min());
      w.name("max").value(k.max());
      w.name("maxStep").value(k.maxStep());
      w.name("numericValue").value(k.numericValue());
      w.name("pinned").value(k.pinned());
      w.endObject();
    }
    w.endArray();
    w.name("decisions").beginArray();
    for (Decision d : r.decisions()) {
      decision(w, d);
    }
    w.endArray();
    w.name("recommendations").beginArray();
    for (Recommendation rec : r.recommendations()) {
      w.beginObject();
      w.name("kind").value(rec.kind());
      w.name("subject").value(rec.subject());
      w.name("summary").value(rec.summary());
      w.name("action").value(rec.action());
      w.name("estimatedGain").value(rec.estimatedGain().orElse(Double.NaN));
      w.name("time").value(rec.time().toString());
      w.name("evidence").beginObject();
      for (Map.Entry<String, String> e : rec.evidence().entrySet()) {
        w.name(e.getKey()).value(e.getValue());
      }
      w.endObject();
      w.endObject();
    }
    w.endArray();
    return w.endObject().toString() + "\n";
  }

  private static void decision(JsonWriter w, Decision d) {
    w.beginObject();
    w.name("knob").value(d.knob());
    w.name("controller").value(d.controller());
    w.name("round").value(d.round());
    w.name("from").value(d.from());
    w.name("to").value(d.to());
    w.name("verdict").value(d.verdict().name());
    w.name("kept").value(d.kept());
    w.name("time").value(d.time().toString());
    w.name("reason").value(d.evidence().reason());
    w.name("baseline");
    arm(w, d.evidence().baseline());
    w.name("trial");
    arm(w, d.evidence().trial());
    w.name("findings").beginArray();
    for (Finding f : d.evidence().findings()) {
      w.beginObject();
      w.name("test").value(f.test());
      w.name("metric").value(f.metric());
      w.name("direction").value(f.direction().name());
      w.name("pValue").value(f.pValue());
      w.name("effect").value(f.effect());
      w.name("alpha").value(f.alpha());
      w.name("detail").value(f.detail());
      w.endObject();
    }
    w.endArray();
    w.endObject();
  }

  private static void arm(JsonWriter w, ArmSummary a) {
    w.beginObject();
    w.name("operations").value(a.operations());
    w.name("errors").value(a.errors());
    w.name("p50Millis").value(a.p50Millis());
    w.name("tailPercentile").value(a.tailPercentile());
    w.name("tailMillis").value(a.tailMillis());
    w.name("throughputPerSecond").value(a.throughputPerSecond());
    w.name("seconds").value(a.seconds());
    w.endObject();
  }

  /** The report as Markdown. */
  public static String markdown(Report r) {
    StringBuilder s = new StringBuilder();
    s.append("# optimizer report\n\n");
    s.append("Generated ").append(r.generatedAt()).append(", mode **").append(r.mode());
    s.append("**.\n\n");
    if (!r.platform().isEmpty()) {
      s.append("## Platform\n\n| attribute | value |\n|---|---|\n");
      new TreeMap<>(r.platform())
          .forEach(
              (k, v) ->
                  s.append("| ").append(cell(k)).append(" | ").append(cell(v)).append(" |\n"));
      s.append('\n');
    }
    s.append("## Knobs\n\n");
    if (r.knobs().isEmpty()) {
      s.append("No knobs registered.\n\n");
    } else {
      s.append("| knob | value | range | max step | pinned |\n|---|---|---|---|---|\n");
      for (KnobSnapshot k : r.knobs()) {
        s.append("| ").append(cell(k.name())).append(" | ").append(cell(k.value()));
        s.append(" | [").append(cell(k.min())).append(", ").append(cell(k.max())).append("] | ");
        s.append(cell(k.maxStep())).append(" | ").append(k.pinned() ? "yes" : "no").append(" |\n");
      }
      s.append('\n');
    }
    s.append("## Decisions\n\n");
    if (r.decisions().isEmpty()) {
      s.append("No trials yet.\n\n");
    } else {
      s.append("| round | knob | change | verdict | kept | baseline p50 / tail / tput |");
      s.append(" trial p50 / tail / tput | reason |\n|---|---|---|---|---|---|---|---|\n");
      for (Decision d : r.decisions()) {
        s.append("| ").append(d.round()).append(" | ").append(cell(d.knob())).append(" | ");
        s.append(cell(d.from())).append(" → ").append(cell(d.to())).append(" | ");
        s.append(d.verdict()).append(" | ").append(d.kept() ? "yes" : "no").append(" | ");
        s.append(arm(d.evidence().baseline())).append(" | ").append(arm(d.evidence().trial()));
        s.append(" | ").append(cell(d.evidence().reason())).append(" |\n");
      }
      s.append('\n');
    }
    s.append("## Recommendations\n\n");
    if (r.recommendations().isEmpty()) {
      s.append("None.\n");
    } else {
      for (Recommendation rec : r.recommendations()) {
        s.append("### ").append(line(rec.kind())).append(": ").append(line(rec.subject()));
        s.append("\n\n").append(rec.summary()).append("\n\n");
        rec.estimatedGain()
            .ifPresent(
                g ->
                    s.append("Estimated gain: ")
                        .append(String.format(Locale.ROOT, "%.0f%%", g * 100))
                        .append("\n\n"));
        if (!rec.action().isEmpty()) {
          s.append("```\n").append(rec.action()).append("\n```\n\n");
        }
        rec.evidence()
            .forEach((k, v) -> s.append("- ").append(k).append(": ").append(v).append('\n'));
        s.append('\n');
      }
    }
    return s.toString();
  }

  private static String arm(ArmSummary a) {
    return String.format(
        Locale.ROOT,
        "%.2f ms / %.2f ms / %.1f/s (n=%d)",
        a.p50Millis(),
        a.tailMillis(),
        a.throughputPerSecond(),
        a.operations());
  }

  /** Text that must stay on one line, such as a heading. */
  private static String line(String s) {
    return s.replace("\r", " ").replace("\n", " ");
  }

  private static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}
