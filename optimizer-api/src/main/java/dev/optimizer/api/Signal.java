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

    /** The window from the cursor's opening until now. The cursor stays open. */
    Window read();
  }
}
