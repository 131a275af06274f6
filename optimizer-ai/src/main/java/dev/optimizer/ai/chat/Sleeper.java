package dev.optimizer.ai.chat;

import java.time.Duration;

/**
 * Waits between retries. The default sleeps the thread; tests inject one that records the delays
 * and returns at once, so that backoff and {@code Retry-After} handling are tested without time
 * passing.
 */
@FunctionalInterface
public interface Sleeper {
  /** The sleeper that sleeps the calling thread. */
  Sleeper SYSTEM = d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);

  /** Waits for {@code duration}. */
  void sleep(Duration duration) throws InterruptedException;
}
