package dev.optimizer.ai.inference.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replaced and removed vectors leave dead slots; the index reclaims them. */
class QuantizedVectorIndexCompactionTest {

  static final int DIM = QuantizedVectorIndexTest.DIM;

  @TempDir Path dir;

  @Test
  void replacingOneIdTenThousandTimesKeepsMemoryBounded() {
    List<float[]> data = QuantizedVectorIndexTest.vectors(10_000, 7);
    try (QuantizedVectorIndex index = QuantizedVectorIndex.builder(DIM).build()) {
      for (float[] v : data) {
        index.add("one", v);
      }
      float[] last = data.get(data.size() - 1);
      assertThat(index.size()).isEqualTo(1);
      // Without reclaiming, 10,000 slots of codes and floats: about 2.7 MB at 64 dimensions.
      assertThat(index.memoryBytes()).isLessThan(2048L * (DIM + 4 + 4 * DIM));
      assertThat(index.float32Bytes()).isLessThan(2048L * 4 * DIM);
      QuantizedVectorIndex.Match top = index.search(last, 1).get(0);
      assertThat(top.id()).isEqualTo("one");
      assertThat(top.score()).isGreaterThan(0.9999);
    }
  }

  @Test
  void aFileOfExactVectorsIsCompactedToo() throws Exception {
    Path file = dir.resolve("exact.f32");
    List<float[]> data = QuantizedVectorIndexTest.vectors(10_000, 8);
    try (QuantizedVectorIndex index =
        QuantizedVectorIndex.builder(DIM)
            .encoding(VectorEncoding.BINARY)
            .exactVectorsFile(file)
            .build()) {
      for (int i = 0; i < data.size(); i++) {
        index.add(i % 2 == 0 ? "even" : "odd", data.get(i));
      }
      assertThat(Files.size(file)).isLessThan(2048L * 4 * DIM);
      assertThat(index.memoryBytes()).isLessThan(2048L * 8 * ((DIM + 63) / 64));
      assertThat(index.search(data.get(data.size() - 1), 1).get(0).id()).isEqualTo("odd");
      assertThat(index.search(data.get(data.size() - 2), 1).get(0).id()).isEqualTo("even");
    }
  }

  @Test
  void afterRemovingMostIdsTheRestAreFoundWithTheirOwnVectors() {
    List<float[]> data = QuantizedVectorIndexTest.vectors(3_000, 9);
    try (QuantizedVectorIndex index = QuantizedVectorIndex.builder(DIM).build()) {
      for (int i = 0; i < data.size(); i++) {
        index.add("v" + i, data.get(i));
      }
      for (int i = 0; i < data.size(); i++) {
        if (i % 10 != 0) {
          assertThat(index.remove("v" + i)).isTrue();
        }
      }
      assertThat(index.size()).isEqualTo(300);
      assertThat(index.float32Bytes()).as("slots held").isLessThan(1000L * 4 * DIM);
      for (int i = 0; i < data.size(); i += 10) {
        float[] stored = index.vector("v" + i);
        assertThat(Vectors.cosine(stored, data.get(i))).isGreaterThan(0.9999);
        QuantizedVectorIndex.Match top = index.search(data.get(i), 1).get(0);
        assertThat(top.id()).isEqualTo("v" + i);
      }
      assertThat(index.vector("v1")).isNull();
    }
  }

  @Test
  void growthStopsAtTheLargestArrayWithAClearError() {
    // 65,536 dimensions: 32,768 slots of int8 codes would be 2^31 bytes, which overflowed an int.
    assertThat(HeapArrays.grownSlots(16_385, 16_384, 65_536, "s"))
        .isEqualTo((Integer.MAX_VALUE - 8) / 65_536);
    assertThatThrownBy(() -> HeapArrays.grownSlots(40_000, 32_767, 65_536, "state"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("QuantizedVectorIndex is full: 40000 slots of 65536 elements")
        .hasMessageEndingWith("state");
    assertThat(HeapArrays.grownSlots(65, 64, 384, "s")).isEqualTo(128);
  }
}
