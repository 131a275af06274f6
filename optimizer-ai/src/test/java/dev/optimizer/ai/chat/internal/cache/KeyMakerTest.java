package dev.optimizer.ai.chat.internal.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiChatRequestParameters;
import dev.langchain4j.model.openai.OpenAiResponsesChatRequestParameters;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Provider parameter classes are read field by field: several LangChain4j classes inherit the
 * common {@code toString()}, which prints none of their own fields.
 */
class KeyMakerTest {
  private final KeyMaker keys = new KeyMaker(1 << 20);

  private static ChatRequest ask(ChatRequestParameters p) {
    return ChatRequest.builder()
        .messages(SystemMessage.from("be brief"), UserMessage.from("Summarize what we discussed"))
        .parameters(p)
        .build();
  }

  private static OpenAiResponsesChatRequestParameters.Builder responses() {
    return OpenAiResponsesChatRequestParameters.builder().modelName("m").temperature(0.0);
  }

  private ChatKey key(ChatRequestParameters p) {
    return keys.key("s", "OPEN_AI", ask(p)).key();
  }

  @Test
  void twoConversationsOfTheResponsesApiDoNotShareAKey() {
    ChatKey a = key(responses().previousResponseId("resp_A").build());
    ChatKey b = key(responses().previousResponseId("resp_B").build());

    assertThat(a).isNotNull();
    assertThat(b).isNotNull().isNotEqualTo(a);
    assertThat(key(responses().previousResponseId("resp_A").build())).isEqualTo(a);
  }

  @Test
  void reasoningEffortAndMaxCompletionTokensArePartOfTheKey() {
    assertThat(key(responses().reasoningEffort("low").build()))
        .isNotEqualTo(key(responses().reasoningEffort("high").build()));
    assertThat(
            key(
                OpenAiChatRequestParameters.builder()
                    .modelName("m")
                    .temperature(0.0)
                    .maxCompletionTokens(50)
                    .build()))
        .isNotEqualTo(
            key(
                OpenAiChatRequestParameters.builder()
                    .modelName("m")
                    .temperature(0.0)
                    .maxCompletionTokens(2000)
                    .build()));
  }

  @Test
  void theSemanticContextSeesProviderFieldsToo() {
    String a =
        keys.lastTurn("s", "OPEN_AI", ask(responses().previousResponseId("resp_A").build()), false)
            .orElseThrow()
            .context();
    String b =
        keys.lastTurn("s", "OPEN_AI", ask(responses().previousResponseId("resp_B").build()), false)
            .orElseThrow()
            .context();

    assertThat(a).isNotEqualTo(b);
  }

  @Test
  void equalMapsInAnotherOrderGiveTheSameKey() {
    Map<String, Integer> ab = new LinkedHashMap<>();
    ab.put("a", 1);
    ab.put("b", 2);
    Map<String, Integer> ba = new LinkedHashMap<>();
    ba.put("b", 2);
    ba.put("a", 1);

    assertThat(key(OpenAiChatRequestParameters.builder().modelName("m").logitBias(ab).build()))
        .isEqualTo(key(OpenAiChatRequestParameters.builder().modelName("m").logitBias(ba).build()))
        .isNotEqualTo(
            key(
                OpenAiChatRequestParameters.builder()
                    .modelName("m")
                    .logitBias(Map.of("a", 1, "b", 3))
                    .build()));
  }

  @Test
  void aCustomParameterClassWithoutToStringIsReadFieldByField() {
    assertThat(key(Extra.builder().tag("x").build()))
        .isNotNull()
        .isNotEqualTo(key(Extra.builder().tag("y").build()));
  }

  @Test
  void aValueThatCannotBeEncodedMakesTheRequestUncacheable() {
    KeyMaker.Result r = keys.key("s", "OPEN_AI", ask(Extra.builder().opaque(new Object()).build()));

    assertThat(r.key()).isNull();
    assertThat(r.uncacheable()).isEqualTo("opaque-parameters");
    assertThat(
            keys.lastTurn("s", "OPEN_AI", ask(Extra.builder().opaque(new Object()).build()), false))
        .isEmpty();
  }

  /** A provider's parameters as a third party might write them: no toString of their own. */
  static final class Extra extends DefaultChatRequestParameters {
    private final String tag;
    private final Object opaque;

    private Extra(B b) {
      super(b);
      this.tag = b.tag;
      this.opaque = b.opaque;
    }

    public static B builder() {
      return new B();
    }

    static final class B extends DefaultChatRequestParameters.Builder<B> {
      private String tag;
      private Object opaque;

      B tag(String tag) {
        this.tag = tag;
        return this;
      }

      B opaque(Object opaque) {
        this.opaque = opaque;
        return this;
      }

      @Override
      public Extra build() {
        return new Extra(this);
      }
    }
  }
}
