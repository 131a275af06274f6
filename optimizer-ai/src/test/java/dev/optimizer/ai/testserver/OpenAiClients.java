package dev.optimizer.ai.testserver;

import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.time.Duration;

/** LangChain4j's real OpenAI clients pointed at a {@link LocalOpenAiServer}, retries off. */
public final class OpenAiClients {
  private OpenAiClients() {}

  /** A blocking chat model for {@code model} on {@code server}, with {@code listeners}. */
  public static OpenAiChatModel chat(
      LocalOpenAiServer server, String model, ChatModelListener... listeners) {
    return OpenAiChatModel.builder()
        .baseUrl(server.baseUrl())
        .apiKey("test-key")
        .modelName(model)
        .temperature(0.0)
        .maxRetries(0)
        .timeout(Duration.ofSeconds(10))
        .listeners(listeners)
        .build();
  }

  /** A streaming chat model for {@code model} on {@code server}, with {@code listeners}. */
  public static OpenAiStreamingChatModel streaming(
      LocalOpenAiServer server, String model, ChatModelListener... listeners) {
    return OpenAiStreamingChatModel.builder()
        .baseUrl(server.baseUrl())
        .apiKey("test-key")
        .modelName(model)
        .temperature(0.0)
        .timeout(Duration.ofSeconds(10))
        .listeners(listeners)
        .build();
  }
}
