package dev.optimizer.demo.app;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.client.RestClient;

/**
 * The service's clients as Spring beans — the inventory {@link RestClient} (built from the injected
 * {@link RestClient.Builder}), the chat model and the embedding model — so that whatever decorates
 * beans (the optimizer's starter) can wrap them.
 */
@Configuration(proxyBeanMethods = false)
public class ServiceBeans {

  /** The inventory service's client. */
  @Bean
  RestClient inventoryRestClient(
      RestClient.Builder builder, @Value("${demo.inventory.url}") String url) {
    return builder.baseUrl(url).build();
  }

  /** The chat model: LangChain4j's OpenAI client against the configured server. */
  @Bean
  ChatModel chatModel(
      @Value("${demo.llm.base-url}") String baseUrl,
      @Value("${demo.llm.model:shop-assistant-1}") String model) {
    return OpenAiChatModel.builder()
        .baseUrl(baseUrl)
        .apiKey("demo")
        .modelName(model)
        .temperature(0.0)
        .timeout(Duration.ofSeconds(30))
        .maxRetries(0)
        .build();
  }

  /** The in-process embedding model (quantized all-MiniLM-L6-v2, from the jar). */
  @Bean
  EmbeddingModel embeddingModel() {
    return new AllMiniLmL6V2QuantizedEmbeddingModel();
  }

  /** The products' embeddings, computed once at start-up. */
  @Bean
  ProductIndex productIndex(CatalogRepository catalog, EmbeddingModel embeddingModel) {
    return ProductIndex.build(catalog.texts(), embeddingModel);
  }
}
