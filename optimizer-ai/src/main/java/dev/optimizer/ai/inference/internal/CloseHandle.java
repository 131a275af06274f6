package dev.optimizer.ai.inference.internal;

import dev.optimizer.runtime.Optimizer;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What an object registers with {@link Optimizer#onClose} in its place. The optimizer keeps what it
 * is given until it closes; the object, once closed on its own, {@link #release releases} the
 * handle, so that the optimizer holds a few bytes rather than the closed object and all it
 * references (a batcher's threads and histograms, a cache's entries). Not part of the API.
 */
public final class CloseHandle implements AutoCloseable {
  private final AtomicReference<AutoCloseable> target;

  private CloseHandle(AutoCloseable target) {
    this.target = new AtomicReference<>(target);
  }

  /** Registers a handle on {@code target} with {@code optimizer}'s close. */
  public static CloseHandle register(Optimizer optimizer, AutoCloseable target) {
    CloseHandle handle = new CloseHandle(target);
    optimizer.onClose(handle);
    return handle;
  }

  /** Called by the target when it closes on its own: the optimizer no longer reaches it. */
  public void release() {
    target.set(null);
  }

  @Override
  public void close() throws Exception {
    AutoCloseable t = target.getAndSet(null);
    if (t != null) {
      t.close();
    }
  }
}
