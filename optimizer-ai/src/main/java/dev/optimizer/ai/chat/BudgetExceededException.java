package dev.optimizer.ai.chat;

/**
 * A request refused because its scope has spent its budget. The message names the budget, the
 * amount spent and the limit; it never contains the prompt.
 */
public final class BudgetExceededException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final double spentUsd;
  private final double limitUsd;

  /** An exception with the amounts. */
  public BudgetExceededException(String message, double spentUsd, double limitUsd) {
    super(message);
    this.spentUsd = spentUsd;
    this.limitUsd = limitUsd;
  }

  /** Dollars the scope has spent. */
  public double spentUsd() {
    return spentUsd;
  }

  /** The scope's limit in dollars. */
  public double limitUsd() {
    return limitUsd;
  }
}
