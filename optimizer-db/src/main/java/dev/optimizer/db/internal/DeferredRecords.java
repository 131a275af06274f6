package dev.optimizer.db.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Records that the application's thread hands off instead of writing them itself: an execution's
 * statistics and histogram records, a lease's wait and use times. One daemon thread applies them to
 * a {@link Sink} a few milliseconds later, in batches.
 *
 * <p>Why: on a real database every query waits on a socket, and after the wait the CPU caches are
 * cold; the dozen cache lines that a statistics entry and three OpenTelemetry histograms touch
 * (maps of attributes, locks, bucket arrays, adders) cost microseconds there, where on a warm cache
 * they cost a few hundred nanoseconds. Handing off a record touches two lines of a ring buffer; the
 * drainer applies a batch with warm caches, while the application waits for its next result.
 *
 * <p>Nothing is lost: a buffer that is full (or closed) answers {@code false} to {@link #offer},
 * and the caller applies the record itself. Readers that must see every record so far (statistics
 * snapshots, metric collection) call {@link #flush()} first; it applies, on the calling thread,
 * everything handed off before it.
 *
 * <p>The buffers are striped by thread id, each a bounded ring that several producers claim slots
 * of with one compare-and-set and one consumer (whoever holds the drain lock) empties. A slot is
 * published by writing its reference last, with release semantics; the consumer stops at the first
 * slot not yet published.
 */
final class DeferredRecords implements AutoCloseable {
  /** What applies a record. Called by one thread at a time. */
  interface Sink {
    /** Applies one record: what {@link #offer} was given. */
    void apply(Object what, long a, long b);
  }

  static final int CAPACITY = 1024; // per stripe; a power of two
  private static final long BUSY_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final VarHandle REFS = MethodHandles.arrayElementVarHandle(Object[].class);

  private final Stripe[] stripes;
  private final Sink sink;
  private final ReentrantLock drainLock = new ReentrantLock();
  private final Thread drainer; // null in tests that drain by flush() alone
  private volatile boolean closed;

  private static final class Stripe {
    final Object[] refs = new Object[CAPACITY];
    final long[] values = new long[2 * CAPACITY];
    final AtomicLong tail = new AtomicLong(); // next slot to claim
    volatile long head; // next slot to apply; written by the consumer only
  }

  /** Records applied to {@code sink} by a daemon thread named {@code threadName}. */
  DeferredRecords(Sink sink, String threadName) {
    this(sink, threadName, true);
  }

  /** As above; without the drainer ({@code drain} false) only {@link #flush()} applies records. */
  DeferredRecords(Sink sink, String threadName, boolean drain) {
    this.sink = sink;
    int n = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()) * 2 - 1);
    this.stripes = new Stripe[Math.min(64, Math.max(2, n * 2))];
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new Stripe();
    }
    this.drainer = drain ? new Thread(this::run, threadName) : null;
    if (drainer != null) {
      drainer.setDaemon(true);
      drainer.start();
    }
  }

  /** Wakes the drainer, if there is one. */
  private void nudge() {
    if (drainer != null) {
      LockSupport.unpark(drainer);
    }
  }

  /**
   * Hands off a record; {@code false} when its buffer is full or this is closed, and the caller
   * must apply it itself.
   */
  boolean offer(Object what, long a, long b) {
    if (closed) {
      return false;
    }
    Stripe s = stripes[(int) Thread.currentThread().getId() & (stripes.length - 1)];
    long t;
    do {
      t = s.tail.get();
      if (t - s.head >= CAPACITY) {
        nudge();
        return false;
      }
    } while (!s.tail.compareAndSet(t, t + 1));
    int i = (int) t & (CAPACITY - 1);
    s.values[2 * i] = a;
    s.values[2 * i + 1] = b;
    REFS.setRelease(s.refs, i, what);
    if ((t & (CAPACITY / 2 - 1)) == 0 && t > 0) {
      nudge(); // half a buffer since the last nudge: drain before it fills
    }
    return true;
  }

  /** Whether the drainer thread is running (for tests of close). */
  boolean draining() {
    return drainer != null && drainer.isAlive();
  }

  /** Applies everything handed off so far, on the calling thread. */
  void flush() {
    drainLock.lock();
    try {
      for (Stripe s : stripes) {
        drain(s);
      }
    } finally {
      drainLock.unlock();
    }
  }

  private int drain(Stripe s) {
    long h = s.head;
    int applied = 0;
    while (true) {
      int i = (int) h & (CAPACITY - 1);
      Object what = REFS.getAcquire(s.refs, i);
      if (what == null) {
        return applied; // empty, or claimed but not yet published
      }
      long a = s.values[2 * i];
      long b = s.values[2 * i + 1];
      s.refs[i] = null;
      s.head = ++h; // frees the slot: the volatile write orders the reads above before reuse
      applied++;
      try {
        sink.apply(what, a, b);
      } catch (RuntimeException e) {
        // A record is telemetry: its failure must not stop the others (or the drainer).
      }
    }
  }

  private void run() {
    while (!closed) {
      int applied = 0;
      drainLock.lock();
      try {
        for (Stripe s : stripes) {
          applied += drain(s);
        }
      } finally {
        drainLock.unlock();
      }
      // Wakes often while records come, seldom when idle; a filling buffer unparks it sooner.
      LockSupport.parkNanos(this, applied > 0 ? BUSY_PARK_NANOS : IDLE_PARK_NANOS);
    }
  }

  /**
   * Stops the drainer and applies what is left; later offers answer {@code false}, so their callers
   * apply them. (An offer racing with close may be left unapplied: what it records belongs to a
   * data source being closed.) Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    if (drainer != null) {
      LockSupport.unpark(drainer);
      try {
        drainer.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    flush();
  }
}
