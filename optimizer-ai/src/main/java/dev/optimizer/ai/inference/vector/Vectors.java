package dev.optimizer.ai.inference.vector;

/**
 * Arithmetic on embedding vectors shared by the library, its tests and its benchmarks, so that
 * every figure that says "cosine" means the same computation: sums in {@code double}, whatever the
 * vectors' scale.
 */
public final class Vectors {
  private Vectors() {}

  /**
   * The cosine similarity of two vectors, in [-1, 1]; 0 when either is the zero vector (it has no
   * direction). Neither needs to be normalized.
   *
   * @throws IllegalArgumentException if the vectors differ in length
   */
  public static double cosine(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException(
          "vectors must have the same length, but were " + a.length + " and " + b.length);
    }
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    if (na == 0 || nb == 0) {
      return 0;
    }
    // Rounding can put a vector's similarity to its own multiple a hair past 1.
    return Math.max(-1, Math.min(1, dot / Math.sqrt(na * nb)));
  }
}
