package dev.optimizer.benchmarks.http;

import dev.optimizer.api.Mode;
import dev.optimizer.benchmarks.PairedBlocks;
import dev.optimizer.benchmarks.Scenario;
import dev.optimizer.benchmarks.ScenarioResult;
import dev.optimizer.benchmarks.ScenarioResult.Target;
import dev.optimizer.http.HttpOptimizer;
import dev.optimizer.http.netty.NettyHttpClient;
import dev.optimizer.runtime.Optimizer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * http-overhead: what the wrapper costs. One thread sends GETs over loopback, through the raw
 * HttpClient and through the wrapped one with every feature on (cache, coalescing, limit, retries,
 * hedging, breaker, telemetry) and no cache hits (every URL distinct, answers {@code no-store}),
 * interleaved in blocks so that drift of the machine hits both alike. Then the cost of a cache hit:
 * the median per-call time of batches of 1000 {@code send} calls answered by the cache.
 */
public final class HttpOverheadScenario implements Scenario {
  @Override
  public String name() {
    return "http-overhead";
  }

  @Override
  public String description() {
    return "wrapper overhead per GET over loopback (raw HttpClient vs wrapped, every feature on, no"
        + " cache hits) and the cost of a cache hit";
  }

  @Override
  public ScenarioResult run(boolean quick) throws Exception {
    int blocks = quick ? 40 : 100;
    int perBlock = 250;
    ScenarioResult r = new ScenarioResult();
    byte[] body = "{\"id\":1,\"name\":\"x\"}".getBytes(StandardCharsets.US_ASCII);
    Origin.Script script =
        (method, path, headers, inProgress) ->
            new Origin.Answer(
                200,
                path.startsWith("/hit")
                    ? Map.of("cache-control", "max-age=3600", "content-type", "application/json")
                    : Map.of("cache-control", "no-store", "content-type", "application/json"),
                body,
                0);
    try (Origin origin = new Origin(script, 1);
        Optimizer optimizer = Optimizer.builder().manualTuning().build();
        Optimizer off = Optimizer.builder().mode(Mode.OFF).manualTuning().build()) {
      HttpClient raw = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      var bld = HttpOptimizer.builder(optimizer).name("overhead");
      HttpOptimizer http = bld.build();
      HttpClient wrapped =
          http.wrap(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
      // The same pipeline over the Netty transport instead of the JDK client.
      HttpClient netty = NettyHttpClient.builder(http).build();
      // Netty with the pipeline's steps skipped (Mode.OFF): what the steps cost on that transport.
      HttpClient nettyBare = NettyHttpClient.builder(HttpOptimizer.create(off)).build();
      String base = origin.url("/").toString();
      int[] seq = {0};
      // Long enough for C2 to compile the pipeline's steps, each called once per request (tier 4
      // comes after some 5,000-15,000 calls): with 3,000 warm-up requests part of the wrapper still
      // ran in profiled tier-3 code during the measurement, which put 20-30 us on its median.
      for (int i = 0; i < 15_000; i++) {
        send(raw, URI.create(base + "warm/r" + i));
        send(wrapped, URI.create(base + "warm/w" + i));
        send(netty, URI.create(base + "warm/n" + i));
        send(nettyBare, URI.create(base + "warm/b" + i));
      }
      long[] rawNanos = new long[blocks * perBlock];
      long[] optNanos = new long[blocks * perBlock];
      long[] nettyNanos = new long[blocks * perBlock];
      long[] bareNanos = new long[blocks * perBlock];
      for (int b = 0; b < blocks; b++) {
        for (int pass = 0; pass < 4; pass++) {
          int side = (b + pass) % 4; // rotate which side goes first
          HttpClient client = side == 0 ? raw : side == 1 ? wrapped : side == 2 ? netty : nettyBare;
          long[] into =
              side == 0 ? rawNanos : side == 1 ? optNanos : side == 2 ? nettyNanos : bareNanos;
          for (int i = 0; i < perBlock; i++) {
            URI uri = URI.create(base + "item/" + seq[0]++);
            long t0 = System.nanoTime();
            send(client, uri);
            into[b * perBlock + i] = System.nanoTime() - t0;
          }
        }
      }
      // Paired by block (see PairedBlocks): the machine's speed steps within a run. The pooled
      // difference is reported too.
      double pairedDiffUs = PairedBlocks.medianDifference(optNanos, rawNanos, perBlock) / 1e3;
      Arrays.sort(rawNanos);
      Arrays.sort(optNanos);
      Arrays.sort(nettyNanos);
      double nettyP50 = nettyNanos[nettyNanos.length / 2] / 1e3;
      Arrays.sort(bareNanos);
      double bareP50 = bareNanos[bareNanos.length / 2] / 1e3;
      double rawP50 = rawNanos[rawNanos.length / 2] / 1e3;
      double optP50 = optNanos[optNanos.length / 2] / 1e3;
      r.baseline("GET p50 (us)", rawP50);
      r.optimized("GET p50 (us)", optP50);
      r.baseline("GET p99 (us)", rawNanos[(int) (rawNanos.length * 0.99)] / 1e3);
      r.optimized("GET p99 (us)", optNanos[(int) (optNanos.length * 0.99)] / 1e3);
      r.optimized("GET p50 (us), Netty transport", nettyP50);
      r.optimized(
          "GET p99 (us), Netty transport", nettyNanos[(int) (nettyNanos.length * 0.99)] / 1e3);
      r.baseline("GET p50 (us), Netty transport, steps off", bareP50);
      r.optimized("cache hits during the miss phase", (double) http.stats().cacheHits());

      HttpRequest hit = HttpRequest.newBuilder(URI.create(base + "hit/1")).build();
      wrapped.send(hit, HttpResponse.BodyHandlers.ofString());
      for (int i = 0; i < 200_000; i++) {
        wrapped.send(hit, HttpResponse.BodyHandlers.ofString()); // warm the JIT
      }
      double[] perCall = new double[quick ? 200 : 500];
      for (int b = 0; b < perCall.length; b++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
          wrapped.send(hit, HttpResponse.BodyHandlers.ofString());
        }
        perCall[b] = (System.nanoTime() - t0) / 1000.0;
      }
      Arrays.sort(perCall);
      double hitP50 = perCall[perCall.length / 2] / 1e3;
      r.optimized("cache hit p50 (us)", hitP50);
      r.ratio("overhead_p50_us", pairedDiffUs, Target.atMost(5));
      r.ratio("overhead_p50_us_pooled", optP50 - rawP50);
      r.ratio("hit_p50_us", hitP50, Target.atMost(2));
      r.ratio("netty_vs_raw_p50_us", nettyP50 - rawP50);
      r.ratio("steps_over_netty_p50_us", nettyP50 - bareP50);
      r.note(
          "requests",
          rawNanos.length
              + " per side after 15,000 warm-up requests each, one thread, blocks of "
              + perBlock
              + " interleaved; overhead_p50_us is the median over blocks of wrapped p50 - raw"
              + " p50; hit cost is the median of batches of 1000 send() calls with"
              + " BodyHandlers.ofString()");
      r.note("settings", "HttpOptimizer defaults: every feature on");
    }
    return r;
  }

  private static void send(HttpClient client, URI uri) throws Exception {
    client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofByteArray());
  }
}
