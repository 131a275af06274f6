package dev.optimizer.ai.inference.onnx;

/** How token vectors become one sentence vector. */
public enum Pooling {
  /** The mean of the vectors of the real tokens (the attention mask excludes padding). */
  MEAN,
  /** The vector of the first token ({@code [CLS]}). */
  CLS
}
