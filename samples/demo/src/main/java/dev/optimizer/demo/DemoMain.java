package dev.optimizer.demo;

import dev.optimizer.demo.report.Comparison;
import dev.optimizer.demo.report.ReportWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The demo's entry point: {@code java -jar samples/demo/target/optimizer-demo.jar [--quick]
 * [--seconds N] [--out DIR]}. Runs the service with the optimizer off, then on, on the same
 * traffic; prints the side-by-side table and writes the report (default {@code
 * target/optimizer-report/} under the working directory).
 */
public final class DemoMain {
  /** Seconds per phase by default. */
  public static final int DEFAULT_SECONDS = 45;

  /** What a run produced. */
  public record Outcome(Comparison comparison, List<Path> files, double wallSeconds) {}

  private DemoMain() {}

  /** Runs the demo and exits. */
  public static void main(String[] args) throws IOException {
    int status;
    try {
      run(args, System.out);
      status = 0;
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println("usage: java -jar optimizer-demo.jar [--quick] [--seconds N] [--out DIR]");
      status = 2;
    }
    System.exit(status); // the demo's servers are daemons, but the JVM's own may linger
  }

  /** Runs the demo, printing progress and the table to {@code out}. */
  public static Outcome run(String[] args, PrintStream out) throws IOException {
    System.setProperty("java.awt.headless", "true");
    double seconds = DEFAULT_SECONDS;
    double warmup = 10;
    Path dir = Path.of("target", "optimizer-report");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> {
          seconds = 8;
          warmup = 3;
        }
        case "--seconds" -> {
          String v = value(args, ++i, "--seconds");
          try {
            seconds = Integer.parseInt(v);
          } catch (NumberFormatException e) {
            seconds = -1;
          }
          if (seconds < 2 || seconds > 600) {
            throw new IllegalArgumentException(
                "--seconds must be a whole number in [2, 600], but was '" + v + "'");
          }
        }
        case "--out" -> dir = Path.of(value(args, ++i, "--out"));
        default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
      }
    }
    long start = System.nanoTime();
    DemoRun.Result result = new DemoRun(new DemoRun.Options(seconds, warmup, 42), out).run();
    Comparison comparison = new Comparison(result.off(), result.on());
    out.println();
    out.println(comparison.toText());
    out.println("OpenTelemetry metrics the service exported (semantic conventions):");
    for (String name : result.prometheusNames()) {
      if (name.startsWith("db_client")
          || name.startsWith("http_client")
          || name.startsWith("gen_ai")) {
        out.println("  " + name);
      }
    }
    long own = result.prometheusNames().stream().filter(n -> n.startsWith("optimizer")).count();
    out.println(
        "  (+ "
            + own
            + " optimizer_* metrics; the service serves them at http://127.0.0.1:<port>/metrics"
            + " while it runs — see the list in index.html)");
    double wall = (System.nanoTime() - start) / 1e9;
    List<Path> files = ReportWriter.write(dir, comparison, result.prometheusNames(), wall);
    out.printf("Report: %s (%.0f s in all)%n", dir.resolve("index.html").toAbsolutePath(), wall);
    return new Outcome(comparison, files, wall);
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }
}
