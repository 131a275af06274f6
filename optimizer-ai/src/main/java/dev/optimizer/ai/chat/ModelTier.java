package dev.optimizer.ai.chat;

/** Which of a routed pair of models a request goes to. */
public enum ModelTier {
  /** The cheaper, faster model. */
  CHEAP,
  /** The stronger, dearer model. */
  STRONG
}
