package dev.optimizer.testing;

import dev.optimizer.api.Controller;
import dev.optimizer.api.ControllerInput;

/**
 * A controller for engine tests: proposes {@code step} below the current value, then {@code step}
 * above it, and so on; says whether it explores as told.
 */
final class AlternatingController implements Controller {
  private final double step;
  private final boolean exploring;
  private int sign = 1;

  AlternatingController(double step, boolean exploring) {
    this.step = step;
    this.exploring = exploring;
  }

  @Override
  public String name() {
    return "alternating";
  }

  @Override
  public double propose(ControllerInput in) {
    sign = -sign;
    return in.current() + step * sign;
  }

  @Override
  public boolean exploring() {
    return exploring;
  }
}
