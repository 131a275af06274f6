package dev.optimizer.ai.inference.vector;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the store holds: its index, with a length (and a value's reference) per entry. */
class QuantizedEmbeddingStoreMemoryTest {

  private static final int N = 20_000;
  private static final int DIM = 384;

  /**
   * The ai-vector-search shape (20,000 vectors of 384 dimensions, full vectors in a file, ids
   * "0".."19999") through the store, against the same vectors in a bare index: the store costs a
   * 4-byte length per entry more (in pages of 1,024), nothing else, and stays within 0.3 of
   * float32. It used to keep a map (node, id String, a record of value and length): 110.6 bytes an
   * entry, 523.1 in all, 0.341 of float32.
   */
  @Test
  void theStoreCostsItsIndexAndALengthPerEntry(@TempDir Path dir) {
    try (QuantizedVectorIndex bare =
            QuantizedVectorIndex.builder(DIM).exactVectorsFile(dir.resolve("bare.f32")).build();
        QuantizedVectorIndex index =
            QuantizedVectorIndex.builder(DIM).exactVectorsFile(dir.resolve("v.f32")).build()) {
      QuantizedEmbeddingStore<TextSegment> store = new QuantizedEmbeddingStore<>(index);
      Random r = new Random(1);
      for (int i = 0; i < N; i++) {
        float[] v = StoreModel.gaussian(r, DIM);
        bare.add(Integer.toString(i), v);
        store.add(Integer.toString(i), Embedding.from(v));
      }
      double indexPerVector = (double) bare.memoryBytes() / N;
      double storePerVector = (double) store.memoryBytes() / N;
      double ratio = (double) store.memoryBytes() / index.float32Bytes();
      System.out.printf(
          "store at 20,000 x 384: index %.1f B a vector, store %.1f B (%.3f of float32)%n",
          indexPerVector, storePerVector, ratio);
      // 20 pages of 1,024 lengths (4 B each, a 16-byte header) and the page tables.
      assertThat(storePerVector - indexPerVector).isBetween(4.0, 4.2);
      assertThat(ratio).isLessThanOrEqualTo(0.3);

      // Removed entries let their slots go: once compacted, at most a page of lengths is left.
      store.removeAll();
      for (int i = 0; i < N; i++) {
        bare.remove(Integer.toString(i));
      }
      assertThat(store.memoryBytes() - bare.memoryBytes())
          .isLessThanOrEqualTo(HeapArrays.arrayBytes(QuantizedVectorIndex.PAGE, 4) + 64);
    }
  }

  /** Entries with a value cost a 4-byte reference more, in the pages that have values only. */
  @Test
  void valuesCostAReferenceOnlyWhereThereAreAny() {
    try (QuantizedVectorIndex bare = QuantizedVectorIndex.builder(8).build();
        QuantizedVectorIndex index = QuantizedVectorIndex.builder(8).build()) {
      QuantizedEmbeddingStore<TextSegment> store = new QuantizedEmbeddingStore<>(index);
      Random r = new Random(2);
      TextSegment segment = TextSegment.from("shared");
      for (int i = 0; i < 4 * QuantizedVectorIndex.PAGE; i++) {
        float[] v = StoreModel.gaussian(r, 8);
        bare.add(Integer.toString(i), v);
        // Values in the first page only.
        store.addAll(
            List.of(Integer.toString(i)),
            List.of(Embedding.from(v)),
            Collections.singletonList(i < QuantizedVectorIndex.PAGE ? segment : null));
      }
      long lengths = 4 * HeapArrays.arrayBytes(QuantizedVectorIndex.PAGE, 4);
      long references = HeapArrays.arrayBytes(QuantizedVectorIndex.PAGE, 4);
      long tables = 2 * HeapArrays.arrayBytes(4, 4);
      assertThat(store.memoryBytes() - bare.memoryBytes()).isEqualTo(lengths + references + tables);
    }
  }

  /** A removed or replaced entry's value is let go at once, before any compaction. */
  @Test
  void aRemovedEntrysValueIsLetGo() {
    try (QuantizedVectorIndex index = QuantizedVectorIndex.builder(4).build()) {
      QuantizedEmbeddingStore<Object> store = new QuantizedEmbeddingStore<>(index);
      for (int i = 0; i < 200; i++) {
        put(store, Integer.toString(i), new float[] {1, i, 0, 0}, new Object());
      }
      Object removed = new Object();
      Object replaced = new Object();
      WeakReference<Object> removedRef = new WeakReference<>(removed);
      WeakReference<Object> replacedRef = new WeakReference<>(replaced);
      put(store, "removed", new float[] {1, 0, 0, 1}, removed);
      put(store, "replaced", new float[] {1, 0, 1, 0}, replaced);
      removed = null;
      replaced = null;
      // Two dead slots among 202: far from compaction.
      store.remove("removed");
      store.add("replaced", Embedding.from(new float[] {0, 1, 1, 0}));
      for (int i = 0; i < 20 && (removedRef.get() != null || replacedRef.get() != null); i++) {
        System.gc();
      }
      assertThat(removedRef.get()).isNull();
      assertThat(replacedRef.get()).isNull();
      assertThat(index.size()).isEqualTo(201);
    }
  }

  private static void put(QuantizedEmbeddingStore<Object> store, String id, float[] v, Object x) {
    store.addAll(List.of(id), List.of(Embedding.from(v)), List.of(x));
  }
}
