package dev.optimizer.runtime.batch;

/**
 * Runs the delayed flush of a batch. Injected so that a test can step time by hand instead of
 * sleeping (the way Caffeine takes a {@code Scheduler}). The default is one named daemon thread per
 * batcher, stopped by {@link MicroBatcher#close()}.
 *
 * <p>Implementations run {@code task} once, at least {@code delayNanos} after the call, on any
 * thread. The task is short and never blocks.
 */
@FunctionalInterface
public interface FlushScheduler {

  /**
   * Schedules {@code task} to run once after {@code delayNanos}.
   *
   * @return a handle that cancels the task if it has not run yet
   * @throws java.util.concurrent.RejectedExecutionException if the scheduler has been shut down;
   *     the batcher then flushes the batch without waiting
   */
  Handle schedule(Runnable task, long delayNanos);

  /** A scheduled task that may still be cancelled. */
  @FunctionalInterface
  interface Handle {

    /** Cancels the task; harmless if it has already run or been cancelled. */
    void cancel();
  }
}
