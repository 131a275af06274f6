package dev.optimizer.samples;

import dev.optimizer.api.Knob;
import dev.optimizer.api.Mode;
import dev.optimizer.api.Objective;
import dev.optimizer.api.Ticker;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.signal.LatencySignal;
import dev.optimizer.runtime.tuning.TuningSettings;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The tuning engine on a simulated service whose throughput peaks at a concurrency it does not
 * reveal (here 24; it starts at 4). Time is simulated so that twenty minutes of traffic take a
 * second; everything else — knob, signal, controller, judge, report — is the real thing.
 *
 * <p>Run: {@code ./mvnw -q -pl samples/plain-java -am package -DskipTests && java -cp
 * "samples/plain-java/target/classes:$(cat samples/plain-java/target/classpath.txt)"
 * dev.optimizer.samples.RuntimeSample}
 */
public final class RuntimeSample {
  private RuntimeSample() {}

  /** Simulates, tunes, and prints the report as Markdown. */
  public static void main(String[] args) {
    System.out.println(run(Duration.ofMinutes(20)).toMarkdown());
  }

  /** Runs the simulation for the given span of simulated time and returns the report. */
  public static dev.optimizer.api.Report run(Duration span) {
    AtomicLong nanos = new AtomicLong();
    Ticker ticker = nanos::get;
    try (Optimizer optimizer =
        Optimizer.builder()
            .openTelemetry(OpenTelemetry.noop())
            .ticker(ticker)
            .manualTuning()
            .mode(Mode.AUTO)
            .tuning(TuningSettings.builder().minWindow(Duration.ofSeconds(10)).build())
            .build()) {
      Knob<Integer> concurrency =
          Knob.ofInt("service.concurrency", 4)
              .range(1, 128)
              .maxStep(16)
              .description("worker threads serving requests")
              .build();
      LatencySignal signal = LatencySignal.builder("service").ticker(ticker).build();
      optimizer.tune(concurrency, signal).objective(Objective.maximizeThroughput()).start();

      SplittableRandom random = new SplittableRandom(1);
      for (long second = 0; second < span.toSeconds(); second++) {
        int n = concurrency.value();
        // Universal Scalability Law: contention 5%, coherency cost chosen for a peak at 24.
        double throughput = 400 * n / (1 + 0.05 * (n - 1) + 0.00165 * n * (n - 1)) / 9.3;
        int ops = (int) Math.round(throughput * (1 + 0.05 * random.nextGaussian()));
        for (int i = 0; i < ops; i++) {
          nanos.addAndGet(1_000_000_000L / Math.max(1, ops));
          double latencySeconds = n / throughput * Math.exp(0.3 * random.nextGaussian());
          signal.recordSuccess((long) (latencySeconds * 1e9));
        }
        optimizer.runTuningCycle();
      }
      return optimizer.report();
    }
  }
}
