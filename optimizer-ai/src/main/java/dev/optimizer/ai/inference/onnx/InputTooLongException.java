package dev.optimizer.ai.inference.onnx;

/** An input has more tokens than the embedder's {@code maxTokens} and truncation is off. */
public final class InputTooLongException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final int tokens;
  private final int maxTokens;

  InputTooLongException(int tokens, int maxTokens, int chars) {
    super(
        "input has "
            + tokens
            + " tokens (special tokens included, "
            + chars
            + " characters) but maxTokens is "
            + maxTokens
            + "; shorten it, split it, or build the embedder with truncation(Truncation.TRUNCATE)");
    this.tokens = tokens;
    this.maxTokens = maxTokens;
  }

  /** Returns the input's token count, special tokens included. */
  public int tokens() {
    return tokens;
  }

  /** Returns the limit it exceeded. */
  public int maxTokens() {
    return maxTokens;
  }
}
