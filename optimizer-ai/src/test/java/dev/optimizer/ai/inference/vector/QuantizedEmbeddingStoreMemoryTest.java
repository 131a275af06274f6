package dev.optimizer.ai.inference.vector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the store reports holding: its index and its own map of ids, values and lengths. */
class QuantizedEmbeddingStoreMemoryTest {

  /**
   * The ai-vector-search shape (20,000 vectors of 384 dimensions, full vectors in a file, ids
   * "0".."19999") through the store: the map costs a node, the id String and the store's record per
   * entry, about 110 bytes, on top of the index's.
   */
  @Test
  void theStoreCountsItsMapBesideTheIndex(@TempDir Path dir) {
    int n = 20_000;
    Random r = new Random(1);
    try (QuantizedVectorIndex index =
        QuantizedVectorIndex.builder(384).exactVectorsFile(dir.resolve("v.f32")).build()) {
      QuantizedEmbeddingStore<TextSegment> store = new QuantizedEmbeddingStore<>(index);
      for (int i = 0; i < n; i++) {
        store.add(Integer.toString(i), Embedding.from(StoreModel.gaussian(r, 384)));
      }
      double indexPerVector = (double) index.memoryBytes() / n;
      double storePerVector = (double) store.memoryBytes() / n;
      double mapPerVector = storePerVector - indexPerVector;
      System.out.printf(
          "store at 20,000 x 384: index %.1f B a vector, map %.1f B, store %.1f B (%.3f of float32)%n",
          indexPerVector, mapPerVector, storePerVector, storePerVector / (4 * 384));
      // Node 32 + Stored 24 + String 24 + its 1-5 bytes in a 24-byte array + table 32,768 x 4 B.
      assertThat(mapPerVector).isBetween(32 + 24 + 24 + 24 + 6.0, 32 + 24 + 24 + 24 + 7.0);

      // Removed entries leave the map (its table, which never shrinks, stays counted).
      store.removeAll();
      long empty = store.memoryBytes() - index.memoryBytes();
      assertThat(empty).isEqualTo(64 + QuantizedVectorIndex.arrayBytes(32_768, 4));
    }
  }

  @Test
  void anIdStringIsCountedAsTheJvmHoldsIt() {
    assertThat(QuantizedEmbeddingStore.stringBytes("19999")).isEqualTo(24 + 24);
    assertThat(QuantizedEmbeddingStore.stringBytes("x".repeat(9))).isEqualTo(24 + 32);
    assertThat(QuantizedEmbeddingStore.stringBytes("\u4e2d".repeat(4))).isEqualTo(24 + 24);
    assertThat(QuantizedEmbeddingStore.stringBytes("\u4e2d".repeat(5))).isEqualTo(24 + 32);
  }
}
