package dev.optimizer.ai.inference.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An interrupted caller of a file-backed index affects itself only, not the index. */
class QuantizedVectorIndexInterruptTest {

  static final int DIM = QuantizedVectorIndexTest.DIM;

  @Test
  void anInterruptedSearchLeavesTheFileUsableForEveryone(@TempDir Path dir) throws Exception {
    List<float[]> data = QuantizedVectorIndexTest.vectors(100, 11);
    try (QuantizedVectorIndex index =
        QuantizedVectorIndex.builder(DIM).exactVectorsFile(dir.resolve("v.f32")).build()) {
      for (int i = 0; i < data.size(); i++) {
        index.add("v" + i, data.get(i));
      }
      Thread.currentThread().interrupt();
      List<QuantizedVectorIndex.Match> interrupted;
      try {
        interrupted = index.search(data.get(3), 10);
      } finally {
        // The flag is the caller's to act on: kept, not swallowed (and cleared here).
        assertThat(Thread.interrupted()).isTrue();
      }
      assertThat(interrupted.get(0).id()).isEqualTo("v3");
      assertThat(index.search(data.get(5), 1).get(0).id()).isEqualTo("v5");
      assertThat(
              CompletableFuture.supplyAsync(() -> index.search(data.get(7), 1).get(0).id())
                  .get(10, TimeUnit.SECONDS))
          .isEqualTo("v7");
    }
  }

  @Test
  void anInterruptedAddIsWrittenAndTheFileStaysUsable(@TempDir Path dir) {
    List<float[]> data = QuantizedVectorIndexTest.vectors(100, 12);
    try (QuantizedVectorIndex index =
        QuantizedVectorIndex.builder(DIM).exactVectorsFile(dir.resolve("v.f32")).build()) {
      for (int i = 0; i < data.size(); i++) {
        if (i == 50) {
          Thread.currentThread().interrupt();
        }
        index.add("v" + i, data.get(i));
        if (i == 50) {
          assertThat(Thread.interrupted()).isTrue();
        }
      }
      assertThat(index.search(data.get(50), 1).get(0).id()).isEqualTo("v50");
      assertThat(index.vector("v99")).isNotNull();
    }
  }

  @Test
  void afterCloseAReadFailsClearly(@TempDir Path dir) {
    QuantizedVectorIndex index =
        QuantizedVectorIndex.builder(DIM).exactVectorsFile(dir.resolve("v.f32")).build();
    index.add("a", QuantizedVectorIndexTest.vectors(1, 13).get(0));
    index.close();
    assertThatThrownBy(() -> index.vector("a"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }
}
