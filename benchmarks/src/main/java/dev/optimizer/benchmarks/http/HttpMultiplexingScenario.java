package dev.optimizer.benchmarks.http;

import dev.optimizer.api.Mode;
import dev.optimizer.benchmarks.Scenario;
import dev.optimizer.benchmarks.ScenarioResult;
import dev.optimizer.benchmarks.ScenarioResult.Target;
import dev.optimizer.http.HttpOptimizer;
import dev.optimizer.http.netty.NettyHttpClient;
import dev.optimizer.runtime.Optimizer;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * http-http2: the Netty transport over HTTP/1.1 (a keep-alive pool, one request per connection at a
 * time) against HTTP/2 (streams multiplexed on one connection), same closed-loop load of 64 users,
 * an origin answering in 2 ms with a small JSON body, the pipeline's steps off (Mode.OFF) so that
 * only the transport differs. Reports throughput, latency and the connections the origin accepted;
 * and, as an extra arm, HTTP/1.1 held to 8 connections per origin (a pool sized for a server that
 * limits its connections), where a request waits for a connection rather than for the origin.
 */
public final class HttpMultiplexingScenario implements Scenario {
  private static final int USERS = 64;

  @Override
  public String name() {
    return "http-http2";
  }

  @Override
  public String description() {
    return "Netty transport, HTTP/1.1 pool vs HTTP/2 multiplexing: 64 users, 2 ms origin;"
        + " throughput, latency, connections";
  }

  @Override
  public ScenarioResult run(boolean quick) throws Exception {
    int total = quick ? 20_000 : 60_000;
    ScenarioResult r = new ScenarioResult();
    byte[] body = "{\"id\":1,\"name\":\"x\"}".repeat(20).getBytes(StandardCharsets.US_ASCII);
    Origin.Script script =
        (method, path, headers, inProgress) ->
            new Origin.Answer(200, Map.of("content-type", "application/json"), body, 2_000_000L);
    try (Origin h1 = new Origin(script, 1);
        Origin h2 = Origin.http2(script, 1, 100);
        Optimizer off = Optimizer.builder().mode(Mode.OFF).manualTuning().build()) {
      HttpOptimizer http = HttpOptimizer.create(off);
      HttpClient pool = NettyHttpClient.builder(http).build();
      HttpClient smallPool = NettyHttpClient.builder(http).maxConnectionsPerOrigin(8).build();
      HttpClient multiplexed =
          NettyHttpClient.builder(http).version(HttpClient.Version.HTTP_2).build();
      Duration timeout = Duration.ofSeconds(30);
      Load.closed(pool, USERS, 2_000, i -> h1.url("/warm/" + i), timeout);
      Load.closed(multiplexed, USERS, 2_000, i -> h2.url("/warm/" + i), timeout);

      // two rounds each, alternating, so that drift of the machine hits both alike
      Load.Result[] one = new Load.Result[2];
      Load.Result[] two = new Load.Result[2];
      for (int round = 0; round < 2; round++) {
        one[round] = Load.closed(pool, USERS, total / 2, i -> h1.url("/item/" + i), timeout);
        two[round] = Load.closed(multiplexed, USERS, total / 2, i -> h2.url("/item/" + i), timeout);
      }
      double h1Rate = rate(one);
      double h2Rate = rate(two);
      try (Origin small = new Origin(script, 1)) {
        Load.closed(smallPool, USERS, 2_000, i -> small.url("/warm/" + i), timeout);
        Load.Result eight =
            Load.closed(smallPool, USERS, total / 2, i -> small.url("/item/" + i), timeout);
        double rate8 = eight.ok() / eight.seconds();
        r.baseline("requests per second, 8 connections", rate8);
        r.baseline("p50 (ms), 8 connections", eight.latencies().ms(50));
        r.baseline("p99 (ms), 8 connections", eight.latencies().ms(99));
        r.ratio("throughput_h2_over_h1_8_connections", h2Rate / rate8);
      }
      report(r, true, one, h1Rate, h1.connections());
      report(r, false, two, h2Rate, h2.connections());
      r.ratio("throughput_h2_over_h1", h2Rate / h1Rate);
      r.ratio(
          "p50_h2_over_h1",
          one[1].latencies().ms(50) == 0
              ? 0
              : two[1].latencies().ms(50) / one[1].latencies().ms(50));
      r.ratio("origin_connections_h2", (double) h2.connections(), Target.atMost(1));
      r.ratio(
          "origin_connections_h1_over_h2",
          h1.connections() / (double) Math.max(1, h2.connections()));
      r.note(
          "load",
          USERS
              + " closed-loop users, "
              + total
              + " GETs per side in two alternating rounds after 2,000 warm-up GETs; origin: one"
              + " event-loop thread, 2 ms answer, 400-byte body; HTTP/2 origin allows 100 streams");
      r.note(
          "settings",
          "pipeline steps off (Mode.OFF); maxConnectionsPerOrigin 64 (default), and 8 in the extra"
              + " arm (one round, after the others)");
    }
    return r;
  }

  private static double rate(Load.Result[] results) {
    long ok = 0;
    double seconds = 0;
    for (Load.Result x : results) {
      ok += x.ok();
      seconds += x.seconds();
    }
    return ok / seconds;
  }

  private static void report(
      ScenarioResult r, boolean baseline, Load.Result[] results, double rate, int connections) {
    Load.Result last = results[results.length - 1];
    long failed = 0;
    for (Load.Result x : results) {
      failed += x.failed();
    }
    r.side(baseline, "requests per second", rate);
    r.side(baseline, "p50 (ms), last round", last.latencies().ms(50));
    r.side(baseline, "p99 (ms), last round", last.latencies().ms(99));
    r.side(baseline, "failed", (double) failed);
    r.side(baseline, "origin connections", (double) connections);
  }
}
