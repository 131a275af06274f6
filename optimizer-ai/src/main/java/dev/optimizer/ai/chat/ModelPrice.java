package dev.optimizer.ai.chat;

import dev.optimizer.api.internal.Checks;

/**
 * A model's price in US dollars per million input and per million output tokens, as configured by
 * the application (providers change prices; the optimizer never guesses them).
 *
 * @param inputPerMillion dollars per 1,000,000 input tokens, in [0, 10000]
 * @param outputPerMillion dollars per 1,000,000 output tokens, in [0, 10000]
 */
public record ModelPrice(double inputPerMillion, double outputPerMillion) {
  /** A price of nothing, used for models without a configured price. */
  public static final ModelPrice FREE = new ModelPrice(0, 0);

  /** Checks both prices. */
  public ModelPrice {
    Checks.inRange("inputPerMillion", inputPerMillion, 0.0, 10_000.0);
    Checks.inRange("outputPerMillion", outputPerMillion, 0.0, 10_000.0);
  }

  /** The cost in dollars of {@code input} and {@code output} tokens. */
  public double cost(long input, long output) {
    return (input * inputPerMillion + output * outputPerMillion) / 1_000_000.0;
  }
}
