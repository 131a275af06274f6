package dev.optimizer.ai.chat.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import org.junit.jupiter.api.Test;

class EndpointsTest {

  @Test
  void theBaseUrlOfLangChain4jsOwnModelsIsRead() {
    assertThat(
            Endpoints.of(
                OpenAiChatModel.builder()
                    .baseUrl("http://LOCALHOST:8080/v1/")
                    .apiKey("k")
                    .modelName("m")
                    .build()))
        .contains("http://localhost:8080/v1");
    assertThat(
            Endpoints.of(
                OpenAiStreamingChatModel.builder()
                    .baseUrl("http://localhost:8080/v1")
                    .apiKey("k")
                    .modelName("m")
                    .build()))
        .as("the streaming model of the same endpoint has the same identity")
        .contains("http://localhost:8080/v1");
    assertThat(Endpoints.of(OpenAiChatModel.builder().apiKey("k").modelName("m").build()))
        .as("the client's default base URL")
        .contains("https://api.openai.com/v1");
  }

  @Test
  void anApplicationsOwnModelHasNoKnownEndpoint() {
    ChatModel own =
        new ChatModel() {
          @SuppressWarnings("unused")
          private final String baseUrl = "http://somewhere";

          @Override
          public ChatResponse doChat(ChatRequest request) {
            return ChatResponse.builder().aiMessage(AiMessage.from("x")).build();
          }
        };
    assertThat(Endpoints.of(own)).isEmpty();
  }

  @Test
  void userInfoAndQueryAreNeverPrintedButStillTellEndpointsApart() {
    String a = Endpoints.printable("https://user:secret@example.com/v1?api-key=k1");
    String b = Endpoints.printable("https://example.com/v1?api-key=k2");
    assertThat(a).startsWith("https://example.com/v1#").doesNotContain("secret");
    assertThat(b).startsWith("https://example.com/v1#").doesNotContain("k2");
    assertThat(a).isNotEqualTo(b);
    assertThat(Endpoints.printable("not a url")).startsWith("#").doesNotContain("url");
  }
}
