package dev.optimizer.ai.inference.onnx;

/** What happens to an input with more tokens than {@code maxTokens} (special tokens included). */
public enum Truncation {
  /**
   * The caller gets an {@link InputTooLongException} naming the token count and the limit; the
   * other inputs of its batch are not affected. The default: nothing is silently cut.
   */
  REJECT,
  /** The tokens beyond the limit are dropped; the final separator token is kept. */
  TRUNCATE
}
