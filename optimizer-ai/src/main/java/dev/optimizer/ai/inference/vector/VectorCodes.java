package dev.optimizer.ai.inference.vector;

import dev.optimizer.api.internal.Checks;

/**
 * How {@link QuantizedVectorIndex} turns a vector into what it stores and scans: unit length first
 * (cosine becomes a dot product), then symmetric int8 codes with one scale per vector, or one sign
 * bit per dimension. Stateless.
 */
final class VectorCodes {
  private VectorCodes() {}

  /**
   * {@code vector} scaled to unit length (a new array), checked: {@code dim} dimensions, finite,
   * not zero.
   */
  static float[] normalized(float[] vector, int dim) {
    Checks.notNull("vector", vector);
    if (vector.length != dim) {
      throw new IllegalArgumentException(
          "vector must have " + dim + " dimensions, but had " + vector.length);
    }
    double sum = 0;
    for (float x : vector) {
      if (!Float.isFinite(x)) {
        throw new IllegalArgumentException("vector must be finite, but held " + x);
      }
      sum += (double) x * x;
    }
    if (sum == 0) {
      throw new IllegalArgumentException("vector must not be zero: it has no direction");
    }
    float inv = (float) (1 / Math.sqrt(sum));
    float[] v = new float[dim];
    for (int j = 0; j < dim; j++) {
      v[j] = vector[j] * inv;
    }
    return v;
  }

  /** Symmetric int8 codes of {@code v} into {@code out}; returns the scale (max|x| / 127). */
  static float encodeInt8(float[] v, byte[] out, int off) {
    float max = 0;
    for (float x : v) {
      max = Math.max(max, Math.abs(x));
    }
    float scale = max / 127f;
    float inv = 1 / scale;
    for (int j = 0; j < v.length; j++) {
      out[off + j] = (byte) Math.round(v[j] * inv);
    }
    return scale;
  }

  /** Sign bits of {@code v} (1 where positive) into {@code out} from word {@code off}. */
  static void encodeBits(float[] v, long[] out, int off) {
    for (int j = 0; j < v.length; j++) {
      if (v[j] > 0) {
        out[off + j / 64] |= 1L << (j % 64);
      }
    }
  }
}
