package dev.optimizer.ai.internal;

import dev.optimizer.runtime.Optimizer;

/**
 * The module's one check that a component is not built on a closed {@link Optimizer}: made before
 * anything is loaded or started, since a closed optimizer's {@code onClose} would refuse the
 * component only after its threads, models or instruments exist, and nothing would release them. An
 * optimizer that closes later, mid-build, is still refused by {@code onClose}; each component
 * undoes its build then.
 */
public final class ClosedOptimizer {
  private ClosedOptimizer() {}

  /**
   * Throws when {@code optimizer} is closed.
   *
   * @param component what was being built, as its message names it (e.g. {@code InferenceCache
   *     'ai.embeddings'})
   * @throws IllegalStateException "optimizer is closed: {component} was not built"
   */
  public static void refuse(Optimizer optimizer, String component) {
    if (optimizer.isClosed()) {
      throw new IllegalStateException("optimizer is closed: " + component + " was not built");
    }
  }
}
