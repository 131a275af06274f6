package dev.optimizer.demo.load;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends a {@link Traffic} schedule to the service at its offsets (open loop: a request is sent when
 * it is due, whether or not earlier ones have answered) and records each answer's latency. After
 * placing an order it reads the customer's orders back and counts a stale read when the new order
 * is missing — the result cache must never hide the application's own write.
 */
public final class LoadDriver {
  private static final Pattern ORDER_ID = Pattern.compile("\"orderId\"\\s*:\\s*(\\d+)");
  private static final long PROGRESS_NANOS = 5_000_000_000L;

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final AtomicLong staleReads = new AtomicLong();
  private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();

  /**
   * Runs {@code traffic} against {@code baseUrl}, printing a progress line every 5 s, and waits for
   * the last answer (at most 30 s past the schedule).
   */
  public LatencyRecorder run(String phase, String baseUrl, Traffic traffic, PrintStream progress) {
    LatencyRecorder recorder = new LatencyRecorder();
    AtomicLong done = new AtomicLong();
    CompletableFuture<?>[] all = new CompletableFuture<?>[traffic.requests().size()];
    long start = System.nanoTime();
    long nextProgress = start + PROGRESS_NANOS;
    int i = 0;
    for (Traffic.Request r : traffic.requests()) {
      long due = start + r.offsetNanos();
      for (long now = System.nanoTime(); now < due; now = System.nanoTime()) {
        if (now >= nextProgress) {
          progress(progress, phase, now - start, done.get(), recorder);
          nextProgress += PROGRESS_NANOS;
        }
        LockSupport.parkNanos(Math.min(due - now, nextProgress - now));
      }
      all[i++] = send(baseUrl, r, start, recorder, done);
    }
    CompletableFuture<Void> finished = CompletableFuture.allOf(all);
    try {
      finished.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // counted below: requests not answered in time are errors
    }
    progress(progress, phase, System.nanoTime() - start, done.get(), recorder);
    return recorder;
  }

  /** Orders whose read-back missed them, since this driver was made. */
  public long staleReads() {
    return staleReads.get();
  }

  /** A sample of what failed (for the log), at most a few. */
  public java.util.List<Throwable> failures() {
    return java.util.List.copyOf(failures);
  }

  private CompletableFuture<?> send(
      String baseUrl, Traffic.Request r, long start, LatencyRecorder recorder, AtomicLong done) {
    long scheduled = start + r.offsetNanos();
    return exchange(baseUrl, r.method(), r.path(), r.body())
        .thenCompose(
            res -> {
              if (r.method().equals("POST") && r.path().equals("/orders") && ok(res)) {
                return readBack(baseUrl, r.customer(), res.body()).thenApply(x -> res);
              }
              return CompletableFuture.completedFuture(res);
            })
        .handle(
            (res, error) -> {
              boolean ok = error == null && ok(res);
              if (!ok && failures.size() < 5) {
                failures.add(
                    error != null
                        ? error
                        : new IllegalStateException(
                            r.method() + " " + r.path() + " -> " + res.statusCode()));
              }
              recorder.record(r.area(), r.offsetNanos(), System.nanoTime() - scheduled, ok);
              done.incrementAndGet();
              return null;
            });
  }

  private CompletableFuture<?> readBack(String baseUrl, int customer, String placed) {
    Matcher m = ORDER_ID.matcher(placed);
    if (!m.find()) {
      staleReads.incrementAndGet();
      return CompletableFuture.completedFuture(null);
    }
    String id = "\"id\":" + m.group(1) + ",";
    return exchange(baseUrl, "GET", "/customers/" + customer + "/orders", null)
        .thenAccept(
            res -> {
              if (!ok(res) || !res.body().contains(id)) {
                staleReads.incrementAndGet();
              }
            });
  }

  private CompletableFuture<HttpResponse<String>> exchange(
      String baseUrl, String method, String path, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
    if (body != null) {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static boolean ok(HttpResponse<String> res) {
    return res != null && res.statusCode() / 100 == 2;
  }

  private static void progress(
      PrintStream out, String phase, long elapsedNanos, long done, LatencyRecorder recorder) {
    out.printf(
        "  %-4s %5.1f s  %6d requests  p50 (last 5 s) %7.1f ms%n",
        phase, elapsedNanos / 1e9, done, recorder.takeWindowMedianMillis());
  }
}
