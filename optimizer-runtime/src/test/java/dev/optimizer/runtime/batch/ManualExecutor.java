package dev.optimizer.runtime.batch;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/** An executor that only queues; the test runs the tasks when it wants, on its own thread. */
final class ManualExecutor implements Executor {

  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

  @Override
  public synchronized void execute(Runnable command) {
    tasks.add(command);
  }

  synchronized int pending() {
    return tasks.size();
  }

  /** Runs the oldest task; returns false if there was none. */
  boolean runNext() {
    Runnable next;
    synchronized (this) {
      next = tasks.poll();
    }
    if (next == null) {
      return false;
    }
    next.run();
    return true;
  }

  void runAll() {
    while (runNext()) {
      // keep going: running a batch may dispatch the next one
    }
  }
}
