package dev.optimizer.http;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition that another thread makes true: polled, bounded, no fixed sleeps. */
final class Await {
  private static final long BOUND_NANOS = TimeUnit.SECONDS.toNanos(10);

  private Await() {}

  /** Returns once {@code condition} holds; fails naming {@code what} after ten seconds. */
  static void until(BooleanSupplier condition, String what) {
    long until = System.nanoTime() + BOUND_NANOS;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - until > 0) {
        throw new AssertionError("timed out waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }
}
