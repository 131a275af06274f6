package dev.optimizer.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.optimizer.demo.load.Area;
import dev.optimizer.demo.report.Comparison;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the whole demo in {@code --quick} mode: real PostgreSQL, real servers, both phases. */
class DemoSmokeTest {

  @Test
  void quickRunWritesTheReportAndTheOptimizerSavesDownstreamAndLlmCalls(@TempDir Path dir)
      throws Exception {
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);

    DemoMain.Outcome outcome = DemoMain.run(new String[] {"--quick", "--out", dir.toString()}, out);

    for (String file :
        new String[] {
          "index.html",
          "report.json",
          "latency-db.png",
          "latency-http.png",
          "latency-ai.png",
          "knobs.png",
          "cache-hit-rates.png"
        }) {
      Path p = dir.resolve(file);
      assertThat(p).as(file).exists();
      assertThat(Files.size(p)).as(file + " size").isPositive();
    }
    String text = console.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("Phase OFF", "Phase ON", " requests  p50");
    String table = outcome.comparison().toText();
    assertThat(table).containsPattern("(?m)^DB +p50").containsPattern("(?m)^HTTP +p50");
    assertThat(table).containsPattern("(?m)^AI +p50");
    String html = Files.readString(dir.resolve("index.html"));
    assertThat(html).contains("<td>DB</td>", "<td>HTTP</td>", "<td>AI</td>", "latency-ai.png");
    String json = Files.readString(dir.resolve("report.json"));
    assertThat(json).contains("\"comparison\"", "\"optimizer\"", "\"decisions\"");

    Comparison c = outcome.comparison();
    Comparison.Row downstream = c.row(Area.HTTP, "downstream requests");
    assertThat(downstream.off()).isPositive();
    assertThat(downstream.on()).isLessThan(downstream.off());
    Comparison.Row llm = c.row(Area.AI, "LLM calls");
    assertThat(llm.off()).isPositive();
    assertThat(llm.on()).isLessThan(llm.off());
    // The result cache never hid an order from the customer who had just placed it.
    assertThat(c.row(Area.DB, "stale reads of own orders").on()).isZero();
    assertThat(c.row(Area.DB, "errors").on()).isZero();
  }
}
