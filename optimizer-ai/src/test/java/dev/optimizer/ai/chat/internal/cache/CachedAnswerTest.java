package dev.optimizer.ai.chat.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.image.Image;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CachedAnswerTest {
  private static final String BIG = "x".repeat(10_000);

  private static int weight(AiMessage m) {
    ChatResponse r = ChatResponse.builder().aiMessage(m).finishReason(FinishReason.STOP).build();
    return new CachedAnswer(r, List.of()).weightBytes();
  }

  @Test
  void everythingTheAnswerHoldsIsWeighed() {
    int plain = weight(AiMessage.from("42"));
    assertThat(weight(AiMessage.builder().text("42").thinking(BIG).build()))
        .as("reasoning")
        .isGreaterThanOrEqualTo(plain + 2 * BIG.length());
    assertThat(
            weight(
                AiMessage.builder()
                    .text("42")
                    .toolExecutionRequests(
                        List.of(
                            ToolExecutionRequest.builder()
                                .id("call-1")
                                .name("lookup")
                                .arguments(BIG)
                                .build()))
                    .build()))
        .as("tool-call arguments")
        .isGreaterThanOrEqualTo(plain + 2 * BIG.length());
    assertThat(weight(AiMessage.builder().text("42").attributes(Map.of("signature", BIG)).build()))
        .as("attributes (a reasoning signature, say)")
        .isGreaterThanOrEqualTo(plain + 2 * BIG.length());
    assertThat(
            weight(
                AiMessage.builder()
                    .text("42")
                    .attributes(
                        Map.of(
                            AiMessage.GENERATED_IMAGES_KEY,
                            List.of(Image.builder().base64Data(BIG).mimeType("image/png").build())))
                    .build()))
        .as("generated images")
        .isGreaterThanOrEqualTo(plain + 2 * BIG.length());
  }

  @Test
  void theStreamedPartsAndTheMetadataAreWeighed() {
    ChatResponse r =
        ChatResponse.builder()
            .aiMessage(AiMessage.from("42"))
            .id(BIG)
            .modelName("gpt-test")
            .finishReason(FinishReason.STOP)
            .build();
    int plain = weight(AiMessage.from("42"));
    assertThat(new CachedAnswer(r, List.of()).weightBytes())
        .isGreaterThanOrEqualTo(plain + 2 * BIG.length());
    ChatResponse small = ChatResponse.builder().aiMessage(AiMessage.from("42")).build();
    assertThat(new CachedAnswer(small, List.of(CachedAnswer.Part.thinking(BIG))).weightBytes())
        .isGreaterThanOrEqualTo(plain + 2 * BIG.length());
  }
}
