package dev.optimizer.ai.inference.vector;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link QuantizedVectorIndex#memoryBytes()} reports what is allocated, ids included. */
class QuantizedVectorIndexMemoryTest {

  private static float[] random(Random r, int dim) {
    float[] v = new float[dim];
    for (int j = 0; j < dim; j++) {
      v[j] = (float) r.nextGaussian();
    }
    return v;
  }

  @Test
  void memoryBytesCountsTheSlotsAllocatedNotOnlyThoseInUse() {
    Random r = new Random(1);
    try (QuantizedVectorIndex index = QuantizedVectorIndex.builder(384).build()) {
      for (int i = 0; i < 65; i++) {
        index.add("v" + i, random(r, 384));
      }
      // 65 vectors fill more than the first 64 slots: 128 are allocated, of codes and scales, and
      // of full vectors in the heap; each id is a String of at least 48 bytes.
      long allocated = 128L * (384 + 4) + 128L * 384 * 4;
      assertThat(index.memoryBytes()).isGreaterThanOrEqualTo(allocated + 65L * 48);
    }
  }

  @Test
  void idsAreCountedAndGiveBackTheirBytesWhenRemoved() {
    Random r = new Random(2);
    try (QuantizedVectorIndex index = QuantizedVectorIndex.builder(8).build()) {
      index.add("a", random(r, 8));
      long one = index.memoryBytes();
      String longId = "x".repeat(1000);
      index.add(longId, random(r, 8));
      assertThat(index.memoryBytes() - one).isGreaterThanOrEqualTo(1000);
      index.remove(longId);
      assertThat(index.memoryBytes()).isLessThan(one + 100);
    }
  }

  /**
   * The ai-vector-search figure: 20,000 vectors of 384 dimensions, full vectors in a file, short
   * ids. Pages of slots bound the slack to one page, so the heap stays under 30% of float32 with
   * the ids counted.
   */
  @Test
  void at384DimensionsTheHeapStaysUnderThirtyPercentOfFloat32(@TempDir Path dir) {
    Random r = new Random(3);
    try (QuantizedVectorIndex index =
        QuantizedVectorIndex.builder(384).exactVectorsFile(dir.resolve("v.f32")).build()) {
      for (int i = 0; i < 20_000; i++) {
        index.add(Integer.toString(i), random(r, 384));
      }
      double ratio = (double) index.memoryBytes() / index.float32Bytes();
      assertThat(ratio).isGreaterThan(388.0 / 1536).isLessThanOrEqualTo(0.3);
    }
  }
}
