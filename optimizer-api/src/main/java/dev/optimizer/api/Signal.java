package dev.optimizer.api;

/**
 * A measured stream the tuner reads: latencies, throughput, errors, gauges. Many readers may watch
 * one signal at once; each opens its own {@link Cursor} and reads the window from that point.
 */
public interface Signal {

  /** The signal's name, e.g. {@code db.pool}. */
  String name();

  /** Starts a window now. */
  Cursor open();

  /** A reader's position in a signal: everything recorded since it was opened. */
  interface Cursor {

    /** Number of operations recorded since the cursor was opened; cheap. */
    long operations();

    /**
     * Number of latency samples recorded since the cursor was opened; cheap. The same as {@link
     * #operations()} (the default) unless the signal records some operations without their latency,
     * as a pool's signal does for a lease that began before the pool was resized: what the judge
     * compares is latencies, so a window is full when it holds enough of them.
     */
    default long latencySamples() {
      return operations();
    }

    /** The window from the cursor's opening until now. The cursor stays open. */
    Window read();
  }
}
