package dev.optimizer.ai.chat;

/**
 * What happens to a request whose scope has spent its budget. Cache hits cost nothing and are
 * served either way.
 */
public enum BudgetAction {
  /** The request fails with a {@link BudgetExceededException}; nothing is sent. */
  REFUSE,
  /**
   * The request goes to the cheap model of a routed pair; a model that is not routed has no cheaper
   * model to go to, so there the request is refused as with {@link #REFUSE}.
   */
  DOWNGRADE
}
