package dev.optimizer.ai.inference.internal;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The model workers of an {@link dev.optimizer.ai.inference.InferenceBatcher}: a batch takes an
 * idle one and gives it back, and closing never closes a worker that a batch still uses.
 *
 * <p>Why each worker is closed exactly once, and never in use: {@link #close} first sets {@code
 * closing}, then takes every idle worker; {@link #giveBack} first adds the worker to the idle
 * queue, then reads {@code closing}. Either close sees the worker in the queue, or giveBack sees
 * {@code closing} (a volatile write before a queue operation, a queue operation before a volatile
 * read); whichever of the two then removes it from the queue closes it, and only one removal can
 * succeed.
 *
 * @param <W> the worker type
 */
public final class WorkerPool<W extends AutoCloseable> {

  private static final System.Logger LOG = System.getLogger(WorkerPool.class.getName());

  private final String owner;
  private final int size;
  private final BlockingQueue<W> idle;
  private volatile boolean closing;
  private final AtomicInteger closed = new AtomicInteger();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition returned = lock.newCondition();

  /** A pool of {@code workers}, all idle; {@code owner} names it in errors. */
  public WorkerPool(String owner, List<W> workers) {
    this.owner = owner;
    this.size = workers.size();
    this.idle = new ArrayBlockingQueue<>(size, false, workers);
  }

  /** Returns an idle worker, or {@code null} when none is. */
  public W take() {
    return idle.poll();
  }

  /** Returns a worker after its batch; once the pool is closing, closes it instead. */
  public void giveBack(W worker) {
    idle.add(worker);
    if (closing && idle.remove(worker)) {
      RuntimeException failure = closeOne(worker, null);
      if (failure != null) {
        LOG.log(System.Logger.Level.WARNING, failure.getMessage(), failure.getCause());
      }
    }
    if (closing) { // only close() waits for a worker to come back
      lock.lock();
      try {
        returned.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Closes the idle workers and waits, until {@code deadlineNanos} ({@link System#nanoTime()}) or
   * an interrupt, for the busy ones to come back and be closed; a worker still busy after that is
   * closed by {@link #giveBack}. The interrupt flag is kept.
   *
   * @return the first failure to close a worker (others suppressed in it), or {@code null}
   */
  public RuntimeException close(long deadlineNanos) {
    closing = true;
    RuntimeException failure = null;
    boolean interrupted = Thread.interrupted();
    lock.lock();
    try {
      while (closed.get() < size) {
        W w = idle.poll();
        if (w != null) {
          lock.unlock();
          try {
            failure = closeOne(w, failure);
          } finally {
            lock.lock();
          }
          continue;
        }
        long left = deadlineNanos - System.nanoTime();
        if (interrupted || left <= 0) {
          break;
        }
        try {
          returned.awaitNanos(left);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      lock.unlock();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return failure;
  }

  private RuntimeException closeOne(W worker, RuntimeException failure) {
    try {
      worker.close();
    } catch (Exception e) {
      if (failure == null) {
        return new IllegalStateException("closing a worker of " + owner + " failed", e);
      }
      failure.addSuppressed(e);
    } finally {
      // Counted once closed, so that close() returns after a worker closed by giveBack.
      closed.incrementAndGet();
    }
    return failure;
  }
}
