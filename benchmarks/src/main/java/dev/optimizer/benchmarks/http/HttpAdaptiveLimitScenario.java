package dev.optimizer.benchmarks.http;

import dev.optimizer.benchmarks.Scenario;
import dev.optimizer.benchmarks.ScenarioResult;
import dev.optimizer.benchmarks.ScenarioResult.Target;
import dev.optimizer.http.HttpOptimizer;
import dev.optimizer.runtime.Optimizer;
import dev.optimizer.runtime.tuning.TuningSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * http-adaptive-limit: an origin whose service time grows with the requests it is serving (a
 * Universal Scalability Law server: 20 ms · (1 + 0.05 (c − 1) + 0.002 c (c − 1)), peak throughput
 * about 370/s at c ≈ 22), driven open-loop at four times that peak with a 2 s client deadline. The
 * raw client lets concurrency grow without bound; the wrapped one holds each host to the limit the
 * runtime's gradient controller finds, queueing at most 50 ms.
 */
public final class HttpAdaptiveLimitScenario implements Scenario {
  static final double BASE_NANOS = 20_000_000;
  static final double SIGMA = 0.05;
  static final double KAPPA = 0.002;

  @Override
  public String name() {
    return "http-adaptive-limit";
  }

  @Override
  public String description() {
    return "a server slowing with concurrency, driven open-loop at 4x its capacity: p99 and goodput,"
        + " no limit (raw HttpClient) vs the adaptive per-host limit";
  }

  static double capacityPerSecond() {
    double best = 0;
    for (int c = 1; c < 200; c++) {
      best = Math.max(best, c / (serviceNanos(c) / 1e9));
    }
    return best;
  }

  static double serviceNanos(int c) {
    return BASE_NANOS * (1 + SIGMA * (c - 1) + KAPPA * c * (double) (c - 1));
  }

  @Override
  public ScenarioResult run(boolean quick) throws Exception {
    double capacity = capacityPerSecond();
    int rate = (int) Math.round(4 * capacity);
    int seconds = quick ? 25 : 60;
    int warm = quick ? 10 : 20;
    ScenarioResult r = new ScenarioResult();
    Origin.Script script =
        (method, path, headers, inProgress) ->
            new Origin.Answer(
                200,
                Map.of("cache-control", "no-store"),
                "ok".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                (long) serviceNanos(inProgress));
    TuningSettings tuning =
        TuningSettings.builder()
            .tickInterval(Duration.ofMillis(50))
            .minWindow(Duration.ofMillis(500))
            .maxWindow(Duration.ofSeconds(10))
            .settle(Duration.ofMillis(100))
            .build();
    // One origin per side: the raw side leaves the origin with work it will be busy with for
    // minutes.
    try (Origin origin = new Origin(script, 1);
        Origin rawOrigin = new Origin(script, 1);
        Optimizer optimizer = Optimizer.builder().tuning(tuning).build()) {
      HttpClient raw = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      Side base = drive(raw, rawOrigin.url("/work"), rate, seconds, warm);
      HttpOptimizer http =
          HttpOptimizer.builder(optimizer)
              .name("limit")
              .limitQueueTimeout(Duration.ofMillis(50))
              .limitSignalSlice(Duration.ofMillis(100))
              .build();
      HttpClient wrapped =
          http.wrap(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
      Side opt = drive(wrapped, origin.url("/work"), rate, seconds, warm);
      int measured = seconds - warm;
      for (Object[] side : new Object[][] {{true, base}, {false, opt}}) {
        Side x = (Side) side[1];
        boolean b = (Boolean) side[0];
        r.side(b, "offered per second", (double) rate);
        r.side(b, "goodput per second", x.ok.get() / (double) measured);
        r.side(b, "p50 of successes (ms)", x.latencies.ms(50));
        r.side(b, "p99 of successes (ms)", x.latencies.ms(99));
        r.side(b, "timed out or failed per second", x.failed.get() / (double) measured);
        r.side(b, "refused at once per second", x.rejected.get() / (double) measured);
      }
      r.optimized(
          "limit at the end",
          (double) http.stats().limits().values().stream().findFirst().orElse(0));
      // A side with no success at all has no p99 of successes; it is at least the deadline.
      double baseP99 = base.ok.get() == 0 ? 2000 : base.latencies.ms(99);
      double optP99 = opt.ok.get() == 0 ? 2000 : opt.latencies.ms(99);
      r.ratio("p99_ratio", optP99 / baseP99, Target.atMost(0.5));
      r.ratio(
          "goodput_ratio", opt.ok.get() / (double) Math.max(1, base.ok.get()), Target.atLeast(1.0));
      r.note(
          "load",
          String.format(
              java.util.Locale.ROOT,
              "open loop at %d/s (4 x peak %.0f/s), %d s per side, the first %d s not measured,"
                  + " 2 s deadline",
              rate,
              capacity,
              seconds,
              warm));
      r.note(
          "settings",
          "gradient limit (defaults), limitQueueTimeout 50 ms, tuning tick 50 ms / window 500 ms;"
              + " p99 is of successful requests, taken as the 2 s deadline for a side with none");
    }
    return r;
  }

  private static final class Side {
    final Latencies latencies = new Latencies();
    final AtomicLong ok = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
  }

  private static Side drive(HttpClient client, URI uri, int rate, int seconds, int warm) {
    Side side = new Side();
    long start = System.nanoTime();
    long measureFrom = start + warm * 1_000_000_000L;
    long end = start + seconds * 1_000_000_000L;
    long interval = 1_000_000_000L / rate;
    long n = 0;
    AtomicLong outstanding = new AtomicLong();
    for (long due = start; due < end; due += interval) {
      long wait = due - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      long t0 = System.nanoTime();
      boolean measured = t0 >= measureFrom;
      outstanding.incrementAndGet();
      client
          .sendAsync(
              // Distinct URIs: identical ones would be coalesced, hiding the overload.
              HttpRequest.newBuilder(uri.resolve("/work/" + n++))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.discarding())
          .whenComplete(
              (resp, error) -> {
                outstanding.decrementAndGet();
                if (!measured) {
                  return;
                }
                if (error == null && resp.statusCode() == 200) {
                  side.ok.incrementAndGet();
                  side.latencies.record(System.nanoTime() - t0);
                } else if (error != null
                    && dev.optimizer.http.RequestRejectedException.class.isInstance(
                        error instanceof java.util.concurrent.CompletionException
                            ? error.getCause()
                            : error)) {
                  side.rejected.incrementAndGet();
                } else {
                  side.failed.incrementAndGet();
                }
              });
    }
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (outstanding.get() > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(10_000_000L);
    }
    return side;
  }
}
