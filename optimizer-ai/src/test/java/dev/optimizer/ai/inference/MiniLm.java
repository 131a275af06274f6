package dev.optimizer.ai.inference;

import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.optimizer.ai.inference.onnx.OnnxTextEmbedder;

/** The real all-MiniLM-L6-v2 from LangChain4j's Maven artifact, loaded once per test JVM. */
public final class MiniLm {
  private static AllMiniLmL6V2EmbeddingModel langchain4j;
  private static OnnxTextEmbedder embedder;

  private MiniLm() {}

  /** LangChain4j's model, shared. */
  public static synchronized AllMiniLmL6V2EmbeddingModel langchain4j() {
    if (langchain4j == null) {
      langchain4j = new AllMiniLmL6V2EmbeddingModel();
    }
    return langchain4j;
  }

  /** Our batching embedder over the same files, shared; tests must not close it. */
  public static synchronized OnnxTextEmbedder embedder() {
    if (embedder == null) {
      embedder =
          OnnxTextEmbedder.builder()
              .resources(
                  AllMiniLmL6V2EmbeddingModel.class,
                  "all-minilm-l6-v2.onnx",
                  "all-minilm-l6-v2-tokenizer.json")
              .intraOpThreads(2)
              .build();
    }
    return embedder;
  }

  /** 1 - cosine similarity. */
  public static double cosineDistance(float[] a, float[] b) {
    return 1 - dev.optimizer.ai.inference.vector.Vectors.cosine(a, b);
  }
}
