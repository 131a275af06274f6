package dev.optimizer.benchmarks.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/** Closed-loop load: {@code users} threads sending requests one after another. */
final class Load {
  /** What a run measured. */
  record Result(Latencies latencies, long ok, long failed, double seconds) {}

  private Load() {}

  /**
   * Sends {@code total} requests, the i-th to {@code uri.apply(i)}, from {@code users} threads,
   * each waiting for its answer before the next.
   */
  static Result closed(
      HttpClient client, int users, int total, IntFunction<URI> uri, Duration timeout)
      throws InterruptedException {
    Latencies latencies = new Latencies();
    AtomicInteger next = new AtomicInteger();
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    for (int u = 0; u < users; u++) {
      Thread t =
          new Thread(
              () -> {
                int i;
                while ((i = next.getAndIncrement()) < total) {
                  HttpRequest request =
                      HttpRequest.newBuilder(uri.apply(i)).timeout(timeout).build();
                  long t0 = System.nanoTime();
                  try {
                    HttpResponse<byte[]> r =
                        client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                    latencies.record(System.nanoTime() - t0);
                    if (r.statusCode() < 400) {
                      ok.incrementAndGet();
                    } else {
                      failed.incrementAndGet();
                    }
                  } catch (Exception e) {
                    failed.incrementAndGet();
                  }
                }
              },
              "load-" + u);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    return new Result(latencies, ok.get(), failed.get(), (System.nanoTime() - start) / 1e9);
  }
}
