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
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * http-cache: Zipf-distributed GETs over 10,000 URLs of an origin that answers in about 2 ms with
 * {@code max-age=20} and an ETag (304 to a matching If-None-Match), while 1% of the resources
 * change every second. Both sides replay the same paced request sequence (3,000 per second from 8
 * threads); the first ten seconds warm up and are not measured. Every answer's age (now − Date) is
 * checked against max-age: {@code stale_served_beyond_policy} counts answers older than max-age
 * plus the one second of Date's resolution.
 */
public final class HttpCacheScenario implements Scenario {
  static final int URLS = 10_000;
  static final int MAX_AGE = 20;

  @Override
  public String name() {
    return "http-cache";
  }

  @Override
  public String description() {
    return "Zipf GETs over 10,000 URLs with max-age and ETags, 1% changing per second: origin"
        + " requests and mean latency, raw HttpClient vs wrapped with the RFC 9111 cache";
  }

  @Override
  public ScenarioResult run(boolean quick) throws Exception {
    int rate = 3000;
    int warmSeconds = 10;
    int measureSeconds = quick ? 20 : 40;
    int threads = 8;
    AtomicIntegerArray versions = new AtomicIntegerArray(URLS);
    Origin.Script script =
        (method, path, headers, inProgress) -> {
          int id = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
          String etag = "\"v" + versions.get(id) + "\"";
          String date =
              DateTimeFormatter.RFC_1123_DATE_TIME.format(
                  ZonedDateTime.now(java.time.ZoneOffset.UTC));
          Map<String, String> h =
              Map.of(
                  "cache-control",
                  "max-age=" + MAX_AGE,
                  "etag",
                  etag,
                  "date",
                  date,
                  "content-type",
                  "application/json");
          long delay = 2_000_000L;
          if (etag.equals(headers.get("if-none-match"))) {
            return new Origin.Answer(304, h, new byte[0], delay);
          }
          byte[] body =
              ("{\"id\":"
                      + id
                      + ",\"v\":"
                      + versions.get(id)
                      + ",\"pad\":\""
                      + "x".repeat(900)
                      + "\"}")
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
          return new Origin.Answer(200, h, body, delay);
        };
    int[] sequence = zipf(rate * (warmSeconds + measureSeconds), 1.0, 42);
    ScenarioResult r = new ScenarioResult();
    try (Origin origin = new Origin(script, 1);
        Optimizer optimizer = Optimizer.builder().manualTuning().build()) {
      Thread changer = changer(versions);
      try {
        HttpClient raw = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Side base = replay(raw, origin, sequence, rate, threads, warmSeconds);
        HttpOptimizer http = HttpOptimizer.builder(optimizer).name("cache").build();
        HttpClient wrapped =
            http.wrap(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
        Side opt = replay(wrapped, origin, sequence, rate, threads, warmSeconds);
        HttpOptimizer.Stats s = http.stats();
        for (Object[] side : new Object[][] {{true, base}, {false, opt}}) {
          Side x = (Side) side[1];
          boolean b = (Boolean) side[0];
          r.side(b, "requests measured", (double) x.latencies.count());
          r.side(b, "origin requests measured", (double) x.originRequests);
          r.side(b, "mean latency (ms)", x.latencies.meanMs());
          r.side(b, "p50 latency (ms)", x.latencies.ms(50));
          r.side(b, "p99 latency (ms)", x.latencies.ms(99));
          r.side(b, "served stale beyond max-age", (double) x.staleBeyond.get());
          r.side(b, "failed", (double) x.failed.get());
        }
        r.optimized("cache hits (all)", (double) s.cacheHits());
        r.optimized("revalidations (all)", (double) s.revalidations());
        r.optimized("304 answers (all)", (double) s.notModified());
        r.ratio(
            "origin_requests_ratio",
            // Per measured request: a side that falls behind its pace measures more requests.
            (opt.originRequests / (double) opt.latencies.count())
                / (base.originRequests / (double) base.latencies.count()),
            Target.atMost(0.2));
        r.ratio(
            "mean_latency_ratio",
            opt.latencies.meanMs() / base.latencies.meanMs(),
            Target.atMost(0.3));
        r.ratio("stale_served_beyond_policy", (double) opt.staleBeyond.get(), Target.atMost(0));
      } finally {
        changer.interrupt();
      }
      r.note(
          "load",
          rate
              + " GETs/s paced from "
              + threads
              + " threads, Zipf(1.0) over "
              + URLS
              + " URLs; "
              + warmSeconds
              + " s warm-up then "
              + measureSeconds
              + " s measured, same sequence on both sides");
      r.note("settings", "HttpOptimizer defaults (private cache, 64 MiB)");
    }
    return r;
  }

  private static Thread changer(AtomicIntegerArray versions) {
    Thread t =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                for (int i = 0; i < URLS / 100; i++) {
                  versions.incrementAndGet(ThreadLocalRandom.current().nextInt(URLS));
                }
                try {
                  Thread.sleep(1000);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "cache-changer");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static final class Side {
    final Latencies latencies = new Latencies();
    final AtomicLong staleBeyond = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    long originRequests;
  }

  private static Side replay(
      HttpClient client, Origin origin, int[] sequence, int rate, int threads, int warmSeconds)
      throws Exception {
    Side side = new Side();
    long start = System.nanoTime();
    long measureFrom = start + warmSeconds * 1_000_000_000L;
    long[] originAtMeasure = {-1};
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < threads; w++) {
      int first = w;
      Thread t =
          new Thread(
              () -> {
                for (int i = first; i < sequence.length; i += threads) {
                  long due = start + (long) (i * (1e9 / rate));
                  long wait = due - System.nanoTime();
                  if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                  }
                  URI uri = origin.url("/r/" + sequence[i]);
                  long t0 = System.nanoTime();
                  try {
                    HttpResponse<byte[]> resp =
                        client.send(
                            HttpRequest.newBuilder(uri).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
                    long t1 = System.nanoTime();
                    if (t0 >= measureFrom) {
                      side.latencies.record(t1 - t0);
                      long date =
                          ZonedDateTime.parse(
                                  resp.headers().firstValue("date").orElseThrow(),
                                  DateTimeFormatter.RFC_1123_DATE_TIME)
                              .toInstant()
                              .toEpochMilli();
                      if (System.currentTimeMillis() - date > (MAX_AGE + 1) * 1000L) {
                        side.staleBeyond.incrementAndGet();
                      }
                    }
                  } catch (Exception e) {
                    side.failed.incrementAndGet();
                  }
                }
              },
              "cache-load-" + w);
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
    // Count origin requests from the end of the warm-up.
    long sleep = measureFrom - System.nanoTime();
    if (sleep > 0) {
      Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
    }
    originAtMeasure[0] = origin.requests();
    for (Thread t : workers) {
      t.join();
    }
    side.originRequests = origin.requests() - originAtMeasure[0];
    return side;
  }

  /** A Zipf(s) sequence over [0, URLS), by inverse transform over the cumulative weights. */
  static int[] zipf(int n, double s, long seed) {
    double[] cumulative = new double[URLS];
    double sum = 0;
    for (int i = 0; i < URLS; i++) {
      sum += 1 / Math.pow(i + 1, s);
      cumulative[i] = sum;
    }
    SplittableRandom random = new SplittableRandom(seed);
    int[] out = new int[n];
    for (int k = 0; k < n; k++) {
      double u = random.nextDouble() * sum;
      int i = java.util.Arrays.binarySearch(cumulative, u);
      out[k] = i >= 0 ? i : Math.min(URLS - 1, -i - 1);
    }
    return out;
  }
}
