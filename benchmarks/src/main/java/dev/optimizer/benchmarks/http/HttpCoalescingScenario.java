package dev.optimizer.benchmarks.http;

import dev.optimizer.benchmarks.Scenario;
import dev.optimizer.benchmarks.ScenarioResult;
import dev.optimizer.benchmarks.ScenarioResult.Target;
import dev.optimizer.http.HttpOptimizer;
import dev.optimizer.runtime.Optimizer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * http-coalescing: 1,000 concurrent identical cold GETs of a resource the origin answers in 500 ms
 * with {@code no-store} (so that no cache can explain the result): how many reach the origin.
 */
public final class HttpCoalescingScenario implements Scenario {
  @Override
  public String name() {
    return "http-coalescing";
  }

  @Override
  public String description() {
    return "1,000 concurrent identical cold GETs (no-store, 500 ms origin): origin requests, raw"
        + " HttpClient vs wrapped";
  }

  @Override
  public ScenarioResult run(boolean quick) throws Exception {
    int concurrent = 1000;
    ScenarioResult r = new ScenarioResult();
    Origin.Script script =
        (method, path, headers, inProgress) ->
            new Origin.Answer(
                200,
                Map.of("cache-control", "no-store", "content-type", "application/json"),
                "{\"hot\":true}".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                500_000_000L);
    try (Origin origin = new Origin(script, 2);
        Optimizer optimizer = Optimizer.builder().manualTuning().build()) {
      URI uri = origin.url("/hot/resource");
      HttpClient raw = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      Outcome base = burst(raw, uri, concurrent);
      long baseOrigin = origin.requests();
      origin.resetCount();
      HttpOptimizer http = HttpOptimizer.builder(optimizer).name("coalescing").build();
      HttpClient wrapped =
          http.wrap(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
      Outcome opt = burst(wrapped, uri, concurrent);
      long optOrigin = origin.requests();

      r.baseline("concurrent GETs", (double) concurrent);
      r.optimized("concurrent GETs", (double) concurrent);
      r.baseline("origin requests", (double) baseOrigin);
      r.optimized("origin requests", (double) optOrigin);
      r.baseline("ok answers", (double) base.ok);
      r.optimized("ok answers", (double) opt.ok);
      r.baseline("burst seconds", base.seconds);
      r.optimized("burst seconds", opt.seconds);
      r.optimized("coalesced", (double) http.stats().coalesced());
      r.ratio("origin_requests", (double) optOrigin, Target.atMost(1));
      r.ratio("origin_requests_ratio", optOrigin / (double) Math.max(1, baseOrigin));
      r.note(
          "settings", "HttpOptimizer defaults; answers are no-store, so only coalescing applies");
    }
    return r;
  }

  private record Outcome(long ok, double seconds) {}

  private static Outcome burst(HttpClient client, URI uri, int n) throws Exception {
    long start = System.nanoTime();
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      calls.add(
          client.sendAsync(
              HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()));
    }
    long ok = 0;
    for (CompletableFuture<HttpResponse<String>> c : calls) {
      try {
        if (c.get(60, TimeUnit.SECONDS).statusCode() == 200) {
          ok++;
        }
      } catch (Exception e) {
        // counted as not ok
      }
    }
    return new Outcome(ok, (System.nanoTime() - start) / 1e9);
  }
}
