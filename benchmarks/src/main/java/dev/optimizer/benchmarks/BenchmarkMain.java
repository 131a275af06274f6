package dev.optimizer.benchmarks;

import dev.optimizer.api.internal.JsonWriter;
import dev.optimizer.benchmarks.ai.EmbeddingBatchingScenario;
import dev.optimizer.benchmarks.ai.QuantizationScenario;
import dev.optimizer.benchmarks.ai.SemanticCacheScenario;
import dev.optimizer.benchmarks.ai.VectorSearchScenario;
import dev.optimizer.benchmarks.db.DbBatchingScenario;
import dev.optimizer.benchmarks.db.DbIndexAdvisorScenario;
import dev.optimizer.benchmarks.db.DbOverheadScenario;
import dev.optimizer.benchmarks.db.DbPoolSizingScenario;
import dev.optimizer.benchmarks.db.DbResultCacheScenario;
import dev.optimizer.benchmarks.http.HttpAdaptiveLimitScenario;
import dev.optimizer.benchmarks.http.HttpCacheScenario;
import dev.optimizer.benchmarks.http.HttpCoalescingScenario;
import dev.optimizer.benchmarks.http.HttpHedgingScenario;
import dev.optimizer.benchmarks.http.HttpMultiplexingScenario;
import dev.optimizer.benchmarks.http.HttpOverheadScenario;
import dev.optimizer.benchmarks.judge.RuntimeJudgeScenario;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The scenario runner. {@code --list} lists scenarios; {@code SCENARIO [--quick] [--json FILE]}
 * runs one, prints a side-by-side table and writes the JSON the benchmark contract asks for. Exits
 * 0 when the scenario met its targets, 1 when it ran but missed one, 2 on bad usage.
 */
public final class BenchmarkMain {
  private static final List<Scenario> SCENARIOS =
      List.of(
          new RuntimeJudgeScenario(),
          new DbPoolSizingScenario(),
          new DbOverheadScenario(),
          new DbIndexAdvisorScenario(),
          new DbResultCacheScenario(),
          new DbResultCacheScenario(true),
          new DbBatchingScenario(),
          new EmbeddingBatchingScenario(),
          new VectorSearchScenario(),
          new HttpHedgingScenario(),
          new HttpCacheScenario(),
          new HttpCoalescingScenario(),
          new HttpAdaptiveLimitScenario(),
          new HttpOverheadScenario(),
          new HttpMultiplexingScenario(),
          new QuantizationScenario(),
          new SemanticCacheScenario());

  // Held in a field: java.util.logging keeps loggers weakly, and a collected one forgets its level.
  private static final java.util.logging.Logger QUIET =
      java.util.logging.Logger.getLogger("dev.optimizer");

  private BenchmarkMain() {}

  /** Entry point. */
  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    // Scenarios make thousands of decisions; their log lines would drown the table.
    QUIET.setLevel(java.util.logging.Level.WARNING);
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      usage(err);
      return args.length == 0 ? 2 : 0;
    }
    if (args[0].equals("--list")) {
      for (Scenario s : SCENARIOS) {
        out.printf(Locale.ROOT, "%-24s %s%n", s.name(), s.description());
      }
      return 0;
    }
    Scenario scenario = null;
    for (Scenario s : SCENARIOS) {
      if (s.name().equals(args[0])) {
        scenario = s;
      }
    }
    if (scenario == null) {
      err.println("unknown scenario '" + args[0] + "'; --list shows the scenarios");
      return 2;
    }
    boolean quick = false;
    Path json = null;
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--json" -> {
          if (i + 1 >= args.length) {
            err.println("--json needs a file name");
            return 2;
          }
          json = Path.of(args[++i]);
        }
        default -> {
          err.println("unknown option '" + args[i] + "'");
          usage(err);
          return 2;
        }
      }
    }
    long start = System.nanoTime();
    ScenarioResult result = scenario.run(quick);
    double seconds = (System.nanoTime() - start) / 1e9;
    printTable(out, scenario, result, quick, seconds);
    if (json != null) {
      Path parent = json.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(json, toJson(scenario, result, quick, seconds), StandardCharsets.UTF_8);
      out.println("JSON written to " + json);
    }
    return result.passed() ? 0 : 1;
  }

  private static void usage(PrintStream err) {
    err.println("usage: java -jar benchmarks.jar --list");
    err.println("       java -jar benchmarks.jar SCENARIO [--quick] [--json FILE]");
  }

  static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("maxHeapMiB", Runtime.getRuntime().maxMemory() / (1024 * 1024));
    m.put("java", System.getProperty("java.version"));
    m.put("vm", System.getProperty("java.vm.name"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    m.put("arch", System.getProperty("os.arch"));
    return m;
  }

  static String toJson(Scenario s, ScenarioResult r, boolean quick, double seconds)
      throws IOException {
    JsonWriter w = new JsonWriter().beginObject();
    w.name("scenario").value(s.name());
    w.name("description").value(s.description());
    w.name("quick").value(quick);
    w.name("seconds").value(seconds);
    w.name("machine");
    object(w, machine());
    w.name("baseline");
    object(w, r.baseline);
    w.name("optimized");
    object(w, r.optimized);
    w.name("ratios").beginObject();
    r.ratios.forEach((k, v) -> w.name(k).value(v));
    w.endObject();
    w.name("targets").beginObject();
    r.targets.forEach((k, t) -> w.name(k).value(t.op() + " " + fmt(t.bound())));
    w.endObject();
    w.name("notes");
    object(w, r.notes);
    r.extra.forEach(
        (k, v) -> {
          w.name(k);
          value(w, v);
        });
    w.name("passed").value(r.passed());
    return w.endObject() + "\n";
  }

  private static void object(JsonWriter w, Map<String, Object> map) {
    w.beginObject();
    for (Map.Entry<String, Object> e : map.entrySet()) {
      w.name(e.getKey());
      value(w, e.getValue());
    }
    w.endObject();
  }

  @SuppressWarnings("unchecked")
  private static void value(JsonWriter w, Object v) {
    if (v instanceof Number n) {
      w.value(n.doubleValue());
    } else if (v instanceof Boolean b) {
      w.value(b);
    } else if (v instanceof Map<?, ?> m) {
      object(w, (Map<String, Object>) m);
    } else if (v instanceof java.util.Collection<?> c) {
      w.beginArray();
      for (Object o : c) {
        value(w, o);
      }
      w.endArray();
    } else {
      w.value(String.valueOf(v));
    }
  }

  private static void printTable(
      PrintStream out, Scenario s, ScenarioResult r, boolean quick, double seconds) {
    out.printf(
        Locale.ROOT,
        "%n== %s%s (%.1f s) ==%n%s%n%n",
        s.name(),
        quick ? " --quick" : "",
        seconds,
        s.description());
    java.util.Set<String> keys = new java.util.LinkedHashSet<>(r.baseline.keySet());
    keys.addAll(r.optimized.keySet());
    out.printf(Locale.ROOT, "%-44s %18s %18s%n", "measure", "baseline", "optimized");
    for (String k : keys) {
      out.printf(
          Locale.ROOT, "%-44s %18s %18s%n", k, cell(r.baseline.get(k)), cell(r.optimized.get(k)));
    }
    out.printf(Locale.ROOT, "%n%-44s %18s %18s %6s%n", "ratio", "value", "target", "met");
    for (Map.Entry<String, Double> e : r.ratios.entrySet()) {
      ScenarioResult.Target t = r.targets.get(e.getKey());
      out.printf(
          Locale.ROOT,
          "%-44s %18s %18s %6s%n",
          e.getKey(),
          fmt(e.getValue()),
          t == null ? "-" : t.op() + " " + fmt(t.bound()),
          t == null ? "" : r.met(e.getKey()) ? "yes" : "NO");
    }
    if (!r.notes.isEmpty()) {
      out.println();
      r.notes.forEach((k, v) -> out.printf(Locale.ROOT, "note %s: %s%n", k, v));
    }
    out.printf(Locale.ROOT, "%npassed: %s%n", r.passed());
  }

  private static String cell(Object v) {
    if (v == null) {
      return "-";
    }
    return v instanceof Double d ? fmt(d) : String.valueOf(v);
  }

  private static String fmt(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e12) {
      return Long.toString((long) d);
    }
    return String.format(Locale.ROOT, "%.4g", d);
  }
}
