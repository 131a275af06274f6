package dev.optimizer.runtime.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * Cheaper moves of one knob refused lately, with when. A cheaper value is kept on a "no worse"
 * verdict the first time it is asked about; asked again and again, a noisy signal would sooner or
 * later call a worse value no worse, so a retry of a move refused within the horizon is kept only
 * if shown better. Past the horizon the system may have changed and the move is a new question.
 *
 * <p>Not thread-safe; its tuner calls it under its own lock.
 */
final class CheaperMoveRefusals {
  /** At most this many refused moves are remembered; the oldest goes first. */
  static final int MAX_REMEMBERED = 64;

  private final Map<Move, Long> refusedAt = new HashMap<>();
  private final long horizonNanos;

  /** A trial's change of value. */
  record Move(double from, double to) {}

  /**
   * @param horizonNanos how long a refusal is remembered
   */
  CheaperMoveRefusals(long horizonNanos) {
    this.horizonNanos = horizonNanos;
  }

  /** Whether the move was refused less than the horizon before {@code now}. */
  boolean refusedRecently(Move move, long now) {
    Long at = refusedAt.get(move);
    return at != null && now - at < horizonNanos;
  }

  /**
   * Remembers a refusal made on the trial's own evidence. Not one that stood on this memory alone,
   * which would otherwise extend it for ever.
   */
  void remember(Move move, long now) {
    refusedAt.values().removeIf(at -> now - at >= horizonNanos);
    if (refusedAt.size() >= MAX_REMEMBERED && !refusedAt.containsKey(move)) {
      refusedAt.entrySet().stream()
          .min(Map.Entry.comparingByValue())
          .ifPresent(oldest -> refusedAt.remove(oldest.getKey()));
    }
    refusedAt.put(move, now);
  }
}
