package dev.optimizer.ai.chat.internal.resilience;

import java.time.Duration;
import java.util.Optional;
import java.util.Random;

/**
 * The wait before retry {@code n} (1-based): "full jitter" exponential backoff, a uniform draw in
 * {@code [base·2^(n-1)/2, base·2^(n-1)]} capped at {@code max} — jitter so that callers throttled
 * together do not come back together, and half the step kept so that a retry is never immediate. A
 * provider's own hint ({@code Retry-After}) is honoured as a floor: the wait is the hint plus up to
 * 10% jitter.
 */
public final class Backoff {
  private final Duration base;
  private final Duration max;
  private final Random random;

  /** A backoff starting at {@code base}, never over {@code max}. */
  public Backoff(Duration base, Duration max, Random random) {
    this.base = base;
    this.max = max;
    this.random = random;
  }

  /** The wait before retry {@code n}, given the provider's hint if any. */
  public Duration delay(int n, Optional<Duration> hint) {
    if (hint.isPresent()) {
      long h = hint.get().toNanos();
      long jitter;
      synchronized (random) {
        jitter = (long) (random.nextDouble() * h * 0.1);
      }
      return Duration.ofNanos(h + jitter);
    }
    double step = base.toNanos() * Math.pow(2, Math.min(30, n - 1));
    double capped = Math.min(step, max.toNanos());
    double draw;
    synchronized (random) {
      draw = random.nextDouble();
    }
    return Duration.ofNanos((long) (capped / 2 + draw * capped / 2));
  }

  /** The longest wait this backoff accepts; a longer hint means "go elsewhere". */
  public Duration max() {
    return max;
  }
}
