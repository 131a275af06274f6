package dev.optimizer.api;

import dev.optimizer.api.internal.ReportRendering;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the optimizer saw, changed and recommends: the knobs and their bounds, every decision with
 * its evidence, every recommendation, and the platform it ran on. Rendered as JSON for machines and
 * as Markdown for people.
 *
 * @param generatedAt when the report was made
 * @param mode the optimizer's mode
 * @param knobs every registered knob
 * @param decisions every trial decision, oldest first
 * @param recommendations every recommendation, oldest first
 * @param platform platform attributes (cloud, container, limits), by name
 */
public record Report(
    Instant generatedAt,
    Mode mode,
    List<KnobSnapshot> knobs,
    List<Decision> decisions,
    List<Recommendation> recommendations,
    Map<String, String> platform) {

  /** Copies the collections. */
  public Report {
    knobs = List.copyOf(knobs);
    decisions = List.copyOf(decisions);
    recommendations = List.copyOf(recommendations);
    platform = Map.copyOf(new TreeMap<>(platform));
  }

  /** The report as JSON (UTF-8 text, two-space indentation). */
  public String toJson() {
    return ReportRendering.json(this);
  }

  /** The report as Markdown, for people. */
  public String toMarkdown() {
    return ReportRendering.markdown(this);
  }
}
