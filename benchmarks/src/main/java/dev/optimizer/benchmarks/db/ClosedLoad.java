package dev.optimizer.benchmarks.db;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntSupplier;
import javax.sql.DataSource;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * A closed-loop load: {@code clients} threads, each taking a connection, running one unit of work
 * and giving it back, as fast as they can. Records each transaction's end-to-end latency (waiting
 * for a connection included) and completions per 250 ms bucket, and samples a knob's value.
 */
final class ClosedLoad {
  /** One unit of work on a leased connection. */
  interface Work {
    void run(Connection c) throws Exception;
  }

  /** What a run measured. */
  record Result(long[] completionsPerBucket, Histogram latencies, int[] knobPerBucket) {
    static final double BUCKET_SECONDS = 0.25;

    /** Transactions per second between two times (seconds from the start). */
    double throughput(double fromSeconds, double toSeconds) {
      int from = (int) (fromSeconds / BUCKET_SECONDS);
      int to = Math.min(completionsPerBucket.length, (int) (toSeconds / BUCKET_SECONDS));
      long n = 0;
      for (int i = from; i < to; i++) {
        n += completionsPerBucket[i];
      }
      return to <= from ? 0 : n / ((to - from) * BUCKET_SECONDS);
    }
  }

  private ClosedLoad() {}

  /**
   * Runs the load for {@code duration}; latencies are recorded from {@code measureFrom} on (seconds
   * from the start), so that a warm-up or a convergence phase can be left out.
   */
  static Result run(
      DataSource ds,
      Work work,
      int clients,
      Duration duration,
      double measureFrom,
      IntSupplier knob)
      throws InterruptedException {
    int buckets = (int) Math.ceil(duration.toMillis() / 250.0) + 1;
    AtomicLongArray completions = new AtomicLongArray(buckets);
    int[] knobTrace = new int[buckets];
    ConcurrentHistogram latencies = new ConcurrentHistogram(1, 60_000_000_000L, 2);
    AtomicBoolean stop = new AtomicBoolean();
    long start = System.nanoTime();
    long measureFromNanos = (long) (measureFrom * 1e9);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      Thread t =
          new Thread(
              () -> {
                while (!stop.get()) {
                  long t0 = System.nanoTime();
                  try (Connection c = ds.getConnection()) {
                    work.run(c);
                  } catch (Exception e) {
                    continue; // a timed-out lease counts as no completion
                  }
                  long t1 = System.nanoTime();
                  int bucket = (int) ((t1 - start) / 250_000_000L);
                  if (bucket < buckets) {
                    completions.incrementAndGet(bucket);
                  }
                  if (t0 - start >= measureFromNanos) {
                    latencies.recordValue(Math.min(t1 - t0, 60_000_000_000L));
                  }
                }
              },
              "load-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    long end = start + duration.toNanos();
    int sampled = 0;
    while (System.nanoTime() < end) {
      Thread.sleep(50);
      int bucket = (int) ((System.nanoTime() - start) / 250_000_000L);
      while (sampled <= bucket && sampled < buckets) {
        knobTrace[sampled++] = knob.getAsInt();
      }
    }
    stop.set(true);
    for (Thread t : threads) {
      t.join(30_000);
    }
    long[] counts = new long[buckets];
    for (int i = 0; i < buckets; i++) {
      counts[i] = completions.get(i);
    }
    return new Result(counts, latencies, knobTrace);
  }
}
