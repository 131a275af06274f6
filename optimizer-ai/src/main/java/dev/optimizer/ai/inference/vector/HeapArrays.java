package dev.optimizer.ai.inference.vector;

/**
 * Sizes of Java arrays, for the vector index's memory accounting and growth: what an array takes on
 * the heap, and how far one may grow. Stateless.
 */
final class HeapArrays {
  /** The largest array length the JVMs in use allocate. */
  static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

  private static final int ARRAY_HEADER = 16;

  private HeapArrays() {}

  /** Bytes an array of {@code length} elements of {@code elementBytes} each takes on the heap. */
  static long arrayBytes(long length, int elementBytes) {
    return (ARRAY_HEADER + length * elementBytes + 7) & ~7L;
  }

  /**
   * The slots to grow to for {@code n} vectors of {@code width} array elements each: twice the
   * {@code current} ones, as far as a Java array allows, or a clear error when even {@code n} do
   * not fit (where {@code slots * width} used to overflow an int).
   */
  static int grownSlots(int n, int current, int width, String state) {
    int maxSlots = MAX_ARRAY / width;
    if (n > maxSlots) {
      throw new IllegalStateException(
          "QuantizedVectorIndex is full: "
              + n
              + " slots of "
              + width
              + " elements exceed the largest Java array ("
              + MAX_ARRAY
              + " elements); "
              + state);
    }
    return (int) Math.min(maxSlots, Math.max(Math.max(64L, n), 2L * current));
  }
}
