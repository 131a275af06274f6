package dev.optimizer.ai.inference.langchain4j;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.optimizer.ai.inference.onnx.OnnxTextEmbedder;
import dev.optimizer.ai.inference.onnx.Pooling;
import dev.optimizer.ai.inference.onnx.Truncation;
import java.util.Map;

/**
 * LangChain4j's in-process embedding models whose ONNX file and tokenizer we can load ourselves to
 * run real tensor batches: their jars hold both at the root, next to the model class.
 */
final class InProcessModels {

  private record Known(String onnx, String tokenizer, Pooling pooling) {}

  private static final Map<String, Known> KNOWN =
      Map.of(
          "dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel",
          new Known("all-minilm-l6-v2.onnx", "all-minilm-l6-v2-tokenizer.json", Pooling.MEAN),
          "dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel",
          new Known("all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json", Pooling.MEAN));

  private InProcessModels() {}

  /** Whether {@code model} is an in-process model we can batch for real. */
  static boolean isKnown(EmbeddingModel model) {
    return KNOWN.containsKey(model.getClass().getName());
  }

  /**
   * Loads a batching embedder over the same ONNX file and tokenizer as {@code model}. Inputs longer
   * than 512 tokens are rejected by it; the decorator hands those to {@code model} itself.
   */
  static OnnxTextEmbedder embedderFor(EmbeddingModel model, int intraOpThreads) {
    Known k = KNOWN.get(model.getClass().getName());
    if (k == null) {
      throw new IllegalArgumentException(
          model.getClass().getName() + " is not a known LangChain4j in-process model");
    }
    return OnnxTextEmbedder.builder()
        .resources(model.getClass(), k.onnx(), k.tokenizer())
        .pooling(k.pooling())
        .maxTokens(512)
        .truncation(Truncation.REJECT)
        .intraOpThreads(intraOpThreads)
        .build();
  }
}
