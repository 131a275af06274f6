package dev.optimizer.runtime.internal;

import dev.optimizer.runtime.Optimizer;

/**
 * The one check, for every module, that a component is not built on a closed {@link Optimizer}, and
 * its one message: made before anything is loaded or started, since a closed optimizer's {@code
 * onClose} would refuse the component only after its threads, connections, models or instruments
 * exist, and nothing would release them. An optimizer that closes later, mid-build, is still
 * refused by {@code onClose}; the component undoes its build then and reports it with {@link
 * #refused}, so that both cases read alike.
 */
public final class ClosedOptimizer {
  private ClosedOptimizer() {}

  /**
   * Throws when {@code optimizer} is closed.
   *
   * @param component what was being built, as its message names it (e.g. {@code HttpOptimizer
   *     'default'}, {@code InferenceCache 'ai.embeddings'})
   * @throws IllegalStateException "optimizer is closed: {component} was not built"
   */
  public static void refuse(Optimizer optimizer, String component) {
    if (optimizer.isClosed()) {
      throw refused(component, null);
    }
  }

  /**
   * The error for {@code component}, refused because its optimizer is closed: "optimizer is closed:
   * {component} was not built".
   *
   * @param cause the optimizer's own refusal when it closed mid-build ({@code onClose}), or null
   */
  public static IllegalStateException refused(String component, Throwable cause) {
    return new IllegalStateException("optimizer is closed: " + component + " was not built", cause);
  }
}
