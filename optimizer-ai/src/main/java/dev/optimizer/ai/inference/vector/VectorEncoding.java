package dev.optimizer.ai.inference.vector;

/**
 * How a {@link QuantizedVectorIndex} keeps its vectors in memory for the first, approximate pass.
 */
public enum VectorEncoding {
  /**
   * One signed byte per dimension and one float scale per vector (symmetric scalar quantization:
   * {@code code = round(127 * x / max|x|)}): a quarter of the float size; default.
   */
  INT8,
  /** One bit per dimension (the sign): a thirty-second of the float size, coarser ranking. */
  BINARY
}
