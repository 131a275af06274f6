package dev.optimizer.http.internal.transport.netty;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of bodies handed on unread that the Netty transports of this JVM hold at one time: read
 * from a connection (and decoded) but not yet asked for by the caller, and pieces held back before
 * the content decoder ({@link BodyRoute}). What the caller was handed, and what it buffers itself,
 * is not counted. Kept for the tests, which show with it that a slow caller of a compression bomb
 * costs the transport a bounded amount; it is touched only on the streaming path, never for a
 * buffered response.
 */
final class HeldBytes {
  private static final AtomicLong NOW = new AtomicLong();
  private static final AtomicLong PEAK = new AtomicLong();

  private HeldBytes() {}

  static void add(long bytes) {
    long now = NOW.addAndGet(bytes);
    if (bytes > 0 && now > PEAK.get()) {
      PEAK.accumulateAndGet(now, Math::max);
    }
  }

  /** Held now. */
  static long now() {
    return NOW.get();
  }

  /** The most held at once since the last {@link #resetPeak}. */
  static long peak() {
    return PEAK.get();
  }

  /** Starts a new measure of {@link #peak} from what is held now. */
  static void resetPeak() {
    PEAK.set(NOW.get());
  }
}
