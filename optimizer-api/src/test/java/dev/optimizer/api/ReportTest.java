package dev.optimizer.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {

  static final Instant GENERATED = Instant.parse("2026-01-01T00:00:10Z");
  static final String NASTY = "say \"hi\"\nC:\\tmp | x\u0001y\ttab";

  static KnobSnapshot knob() {
    Knob<Duration> k =
        Knob.ofDuration("batch|delay", Duration.ofMillis(25))
            .range(Duration.ZERO, Duration.ofMillis(100))
            .description("how long a \"batch\" waits")
            .build();
    k.pin();
    return k.snapshot();
  }

  static Decision decision() {
    ArmSummary baseline = new ArmSummary(1000, 3, 1.5, 99, 9.9, 100, 10);
    ArmSummary trial = new ArmSummary(0, 0, Double.NaN, 99, Double.NaN, 0, 10);
    List<Finding> findings =
        List.of(
            new Finding(
                "mann-whitney-u",
                "latency",
                Finding.Direction.BETTER,
                0.001,
                0.125,
                0.01,
                "median 1.2ms -> 1.0ms\n\"better\""),
            new Finding(
                "tail-exceedance",
                "latency.p99",
                Finding.Direction.NO_CHANGE,
                Double.NaN,
                Double.POSITIVE_INFINITY,
                0.01,
                ""));
    return new Decision(
        "batch|delay",
        "hill-climb",
        "10ms",
        "20ms",
        1e7,
        2e7,
        Verdict.KEEP,
        true,
        new Evidence(baseline, trial, findings, "latency | better\nby 12%"),
        Instant.parse("2026-01-01T00:00:05Z"),
        3);
  }

  static Recommendation recommendation() {
    return Recommendation.builder("index", "orders(customer_id)")
        .summary(NASTY)
        .action("CREATE INDEX i ON orders(customer_id);")
        .evidence("calls", "1200")
        .evidence("sample \"sql\"", "SELECT * FROM orders\nWHERE customer_id = ?")
        .time(Instant.parse("2026-01-01T00:00:07Z"))
        .build();
  }

  static Report report() {
    Map<String, String> platform = new HashMap<>();
    platform.put("zone", "eu-west-1a");
    platform.put("cloud", "aws");
    platform.put("cpu.limit", "2|4");
    return new Report(
        GENERATED,
        Mode.AUTO,
        List.of(knob()),
        List.of(decision()),
        List.of(
            recommendation(),
            Recommendation.builder("jvm-flag", "heap")
                .summary("grow it")
                .estimatedGain(0.4)
                .build()),
        platform);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> obj(Object o) {
    assertThat(o).isInstanceOf(Map.class);
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> arr(Object o) {
    assertThat(o).isInstanceOf(List.class);
    return (List<Object>) o;
  }

  // ---- JSON
  // ---------------------------------------------------------------------------------------

  @Test
  void jsonIsWellFormedAndComplete() {
    String json = report().toJson();
    assertThat(json).endsWith("}\n");
    Map<String, Object> root = obj(MiniJson.parse(json));
    assertThat(root.keySet())
        .containsExactly(
            "generatedAt", "mode", "platform", "knobs", "decisions", "recommendations");
    assertThat(root.get("generatedAt")).isEqualTo("2026-01-01T00:00:10Z");
    assertThat(root.get("mode")).isEqualTo("AUTO");

    Map<String, Object> platform = obj(root.get("platform"));
    assertThat(platform.keySet()).containsExactly("cloud", "cpu.limit", "zone"); // sorted
    assertThat(platform.get("cpu.limit")).isEqualTo("2|4");

    List<Object> knobs = arr(root.get("knobs"));
    assertThat(knobs).hasSize(1);
    Map<String, Object> k = obj(knobs.get(0));
    assertThat(k)
        .containsEntry("name", "batch|delay")
        .containsEntry("description", "how long a \"batch\" waits")
        .containsEntry("type", "duration")
        .containsEntry("value", "25ms")
        .containsEntry("min", "0s")
        .containsEntry("max", "100ms")
        .containsEntry("maxStep", "25ms")
        .containsEntry("numericValue", 2.5e7)
        .containsEntry("pinned", true);
  }

  @Test
  void jsonDecisionCarriesItsEvidenceAndNaNBecomesNull() {
    Map<String, Object> root = obj(MiniJson.parse(report().toJson()));
    List<Object> decisions = arr(root.get("decisions"));
    assertThat(decisions).hasSize(1);
    Map<String, Object> d = obj(decisions.get(0));
    assertThat(d)
        .containsEntry("knob", "batch|delay")
        .containsEntry("controller", "hill-climb")
        .containsEntry("round", 3.0)
        .containsEntry("from", "10ms")
        .containsEntry("to", "20ms")
        .containsEntry("verdict", "KEEP")
        .containsEntry("kept", true)
        .containsEntry("time", "2026-01-01T00:00:05Z")
        .containsEntry("reason", "latency | better\nby 12%");
    Map<String, Object> baseline = obj(d.get("baseline"));
    assertThat(baseline)
        .containsEntry("operations", 1000.0)
        .containsEntry("errors", 3.0)
        .containsEntry("p50Millis", 1.5)
        .containsEntry("tailPercentile", 99.0)
        .containsEntry("tailMillis", 9.9)
        .containsEntry("throughputPerSecond", 100.0)
        .containsEntry("seconds", 10.0);
    Map<String, Object> trial = obj(d.get("trial"));
    assertThat(trial).containsEntry("p50Millis", null).containsEntry("tailMillis", null);
    assertThat(trial).containsEntry("operations", 0.0);

    List<Object> findings = arr(d.get("findings"));
    assertThat(findings).hasSize(2);
    assertThat(obj(findings.get(0)))
        .containsEntry("test", "mann-whitney-u")
        .containsEntry("metric", "latency")
        .containsEntry("direction", "BETTER")
        .containsEntry("pValue", 0.001)
        .containsEntry("effect", 0.125)
        .containsEntry("alpha", 0.01)
        .containsEntry("detail", "median 1.2ms -> 1.0ms\n\"better\"");
    assertThat(obj(findings.get(1)))
        .containsEntry("direction", "NO_CHANGE")
        .containsEntry("pValue", null)
        .containsEntry("effect", null)
        .containsEntry("detail", "");
  }

  @Test
  void jsonRecommendationsKeepSpecialCharactersExactly() {
    String json = report().toJson();
    Map<String, Object> root = obj(MiniJson.parse(json));
    List<Object> recs = arr(root.get("recommendations"));
    assertThat(recs).hasSize(2);
    Map<String, Object> r = obj(recs.get(0));
    assertThat(r.keySet())
        .containsExactly(
            "kind", "subject", "summary", "action", "estimatedGain", "time", "evidence");
    assertThat(r)
        .containsEntry("kind", "index")
        .containsEntry("subject", "orders(customer_id)")
        .containsEntry("summary", NASTY)
        .containsEntry("action", "CREATE INDEX i ON orders(customer_id);")
        .containsEntry("estimatedGain", null)
        .containsEntry("time", "2026-01-01T00:00:07Z");
    Map<String, Object> evidence = obj(r.get("evidence"));
    assertThat(evidence.keySet()).containsExactly("calls", "sample \"sql\"");
    assertThat(evidence.get("sample \"sql\""))
        .isEqualTo("SELECT * FROM orders\nWHERE customer_id = ?");
    assertThat(obj(recs.get(1))).containsEntry("estimatedGain", 0.4);

    // the escapes themselves, and no raw control character other than the layout's newlines
    assertThat(json).contains("\"summary\": \"say \\\"hi\\\"\\nC:\\\\tmp | x\\u0001y\\ttab\"");
    assertThat(json.chars().filter(c -> c < 0x20 && c != '\n')).isEmpty();
  }

  @Test
  void emptyReportJson() {
    Report r = new Report(GENERATED, Mode.OFF, List.of(), List.of(), List.of(), Map.of());
    assertThat(r.toJson())
        .isEqualTo(
            "{\n"
                + "  \"generatedAt\": \"2026-01-01T00:00:10Z\",\n"
                + "  \"mode\": \"OFF\",\n"
                + "  \"platform\": {},\n"
                + "  \"knobs\": [],\n"
                + "  \"decisions\": [],\n"
                + "  \"recommendations\": []\n"
                + "}\n");
  }

  // ---- Markdown
  // -----------------------------------------------------------------------------------

  @Test
  void markdownHasTheTablesAndEscapesPipes() {
    String md = report().toMarkdown();
    assertThat(md)
        .startsWith("# optimizer report\n\nGenerated 2026-01-01T00:00:10Z, mode **AUTO**.");
    assertThat(md)
        .contains(
            "## Platform\n\n| attribute | value |\n|---|---|\n"
                + "| cloud | aws |\n| cpu.limit | 2\\|4 |\n| zone | eu-west-1a |\n");
    assertThat(md)
        .contains(
            "| knob | value | range | max step | pinned |\n|---|---|---|---|---|\n"
                + "| batch\\|delay | 25ms | [0s, 100ms] | 25ms | yes |\n");
    assertThat(md)
        .contains(
            "| 3 | batch\\|delay | 10ms → 20ms | KEEP | yes"
                + " | 1.50 ms / 9.90 ms / 100.0/s (n=1000)"
                + " | NaN ms / NaN ms / 0.0/s (n=0)"
                + " | latency \\| better by 12% |\n");
    // every table row has the same number of unescaped cell separators as its header
    for (String line : md.split("\n")) {
      if (line.startsWith("| round") || line.startsWith("| 3 |")) {
        assertThat(line.replace("\\|", "").chars().filter(c -> c == '|').count())
            .as(line)
            .isEqualTo(9);
      }
    }
  }

  @Test
  void markdownRecommendations() {
    String md = report().toMarkdown();
    assertThat(md)
        .contains(
            "### index: orders(customer_id)\n\n"
                + NASTY
                + "\n\n```\nCREATE INDEX i ON orders(customer_id);\n```\n\n"
                + "- calls: 1200\n");
    assertThat(md).contains("### jvm-flag: heap\n\ngrow it\n\nEstimated gain: 40%\n\n");
    // a recommendation without an estimated gain has no such line
    int first = md.indexOf("### index");
    int second = md.indexOf("### jvm-flag");
    assertThat(md.substring(first, second)).doesNotContain("Estimated gain");
  }

  @Test
  void emptyReportMarkdown() {
    Report r = new Report(GENERATED, Mode.OBSERVE, List.of(), List.of(), List.of(), Map.of());
    assertThat(r.toMarkdown())
        .isEqualTo(
            "# optimizer report\n\nGenerated 2026-01-01T00:00:10Z, mode **OBSERVE**.\n\n"
                + "## Knobs\n\nNo knobs registered.\n\n"
                + "## Decisions\n\nNo trials yet.\n\n"
                + "## Recommendations\n\nNone.\n");
  }

  @Test
  void collectionsAreCopied() {
    List<KnobSnapshot> knobs = new ArrayList<>(List.of(knob()));
    Map<String, String> platform = new HashMap<>(Map.of("cloud", "aws"));
    Report r = new Report(GENERATED, Mode.AUTO, knobs, List.of(), List.of(), platform);
    knobs.clear();
    platform.put("extra", "x");
    assertThat(r.knobs()).hasSize(1);
    assertThat(r.platform()).containsOnlyKeys("cloud");
    assertThatThrownBy(() -> r.knobs().clear()).isInstanceOf(UnsupportedOperationException.class);
  }
}
